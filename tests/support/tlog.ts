/** A small transparency log for witness tests: leaves, signed checkpoints and consistency proofs. */
import {
  type Hash,
  consistencyProofFromNodes,
  hashLeaf,
  nodesCompletedByAppend,
  rootFromNodes,
} from "../../app/domain/ledger/merkle";
import { newNoteKey, noteSigner } from "../../app/domain/ledger/note";
import { signNote } from "../../app/domain/ledger/note";
import { formatCheckpoint } from "../../app/domain/ledger/tlog-checkpoint";

export class TestLog {
  readonly key: { signerKey: string; verifierKey: string };
  private readonly nodes = new Map<string, Hash>();
  size = 0;

  constructor(
    readonly origin: string,
    key?: { signerKey: string; verifierKey: string },
    /** Leaves differ per `fork` label, so two logs with one key and origin make a split view. */
    readonly fork = "",
  ) {
    this.key = key ?? newNoteKey(origin);
  }

  private lookup = (level: number, index: number): Hash => {
    const node = this.nodes.get(`${level}:${index}`);
    if (!node) throw new Error(`missing node ${level}:${index}`);
    return node;
  };

  append(count: number): this {
    for (let k = 0; k < count; k++) {
      const index = this.size;
      for (const n of nodesCompletedByAppend(index, hashLeaf(`${this.fork}leaf ${index}`), this.lookup)) {
        this.nodes.set(`${n.level}:${n.index}`, n.hash);
      }
      this.size++;
    }
    return this;
  }

  root(size = this.size): Hash {
    return rootFromNodes(size, this.lookup);
  }

  checkpointText(size = this.size): string {
    return formatCheckpoint({ origin: this.origin, treeSize: size, rootHash: this.root(size) });
  }

  note(size = this.size): string {
    return signNote(this.checkpointText(size), [noteSigner(this.key.signerKey)]);
  }

  proof(oldSize: number, newSize = this.size): Hash[] {
    return consistencyProofFromNodes(oldSize, newSize, this.lookup);
  }

  /** The add-checkpoint request body from `oldSize` to `newSize`. */
  body(oldSize: number, newSize = this.size, proof = this.proof(oldSize, newSize)): string {
    return `old ${oldSize}\n${proof.map((h) => `${h.toString("base64")}\n`).join("")}\n${this.note(newSize)}`;
  }
}
