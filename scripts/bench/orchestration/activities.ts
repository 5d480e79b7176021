export async function noop(stage: number): Promise<number> {
  return stage;
}
