/** A reference to an immutable object in the artifact store: what workflows pass instead of data. */
export interface ArtifactRef {
  /** `s3://bucket/key` */
  readonly uri: string;
  /** Hex sha256 of the object's bytes. */
  readonly sha256: string;
  readonly bytes: number;
}
