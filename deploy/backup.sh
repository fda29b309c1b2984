#!/usr/bin/env bash
# Backs up a Shora installation on PostgreSQL: the database and the key store (ADR 0016), which are
# useless without each other. Usage: DATABASE_URL=… SHORA_KEY_DIR=… deploy/backup.sh OUT_DIR
# The server secret (SHORA_SECRET or SHORA_SECRET_FILE) is not copied: the city keeps it apart
# (docs/DEPLOY.md, "Backup and restore"). Safe while the app runs: pg_dump reads one snapshot, and
# the key store is copied after it, so it holds every key the dumped rows need (keys are only ever
# added, and a round's secret is destroyed only once its round is published).
set -euo pipefail
out="${1:?usage: deploy/backup.sh OUT_DIR}"
: "${DATABASE_URL:?set DATABASE_URL}"
: "${SHORA_KEY_DIR:?set SHORA_KEY_DIR}"
mkdir -p "$out"
pg_dump --format=custom --no-owner --no-privileges --file="$out/database.dump" --dbname="$DATABASE_URL"
tar -C "$SHORA_KEY_DIR" -cf "$out/keys.tar" .
(cd "$out" && sha256sum database.dump keys.tar >SHA256SUMS)
echo "backed up to $out: database.dump, keys.tar, SHA256SUMS"
