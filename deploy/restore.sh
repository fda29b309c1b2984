#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into an EMPTY database and an empty (or new) key store
# folder. Usage: DATABASE_URL=… SHORA_KEY_DIR=… deploy/restore.sh BACKUP_DIR
# Then start the app on them with the installation's server secret; it applies any newer migrations.
set -euo pipefail
in="${1:?usage: deploy/restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?set DATABASE_URL (an empty database)}"
: "${SHORA_KEY_DIR:?set SHORA_KEY_DIR (an empty folder)}"
(cd "$in" && sha256sum --check --quiet SHA256SUMS)
if [ -d "$SHORA_KEY_DIR" ] && [ -n "$(ls -A "$SHORA_KEY_DIR")" ]; then
  echo "restore: $SHORA_KEY_DIR is not empty; restore into a new folder" >&2
  exit 1
fi
mkdir -p "$SHORA_KEY_DIR"
chmod 700 "$SHORA_KEY_DIR"
tar -C "$SHORA_KEY_DIR" -xpf "$in/keys.tar"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$in/database.dump"
echo "restored $in into $SHORA_KEY_DIR and the database"
