/**
 * A small seeded generator (xoshiro128**) whose whole state is four 32-bit integers, so a
 * checkpoint can carry it and a resumed run draws exactly the numbers an uninterrupted run would.
 */
export class SeededRandom {
  private readonly state = new Uint32Array(4);

  constructor(seed: number) {
    // splitmix32 spreads any seed (including 0 and small integers) over a full-entropy state.
    let mixed = Math.trunc(seed) >>> 0;
    for (let index = 0; index < 4; index++) {
      mixed = (mixed + 0x9e3779b9) >>> 0;
      let value = mixed;
      value = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
      value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35);
      this.state[index] = (value ^ (value >>> 16)) >>> 0;
    }
    if ((this.state[0] | this.state[1] | this.state[2] | this.state[3]) === 0) this.state[0] = 1;
  }

  static fromState(state: readonly number[]): SeededRandom {
    const random = new SeededRandom(0);
    for (let index = 0; index < 4; index++) random.state[index] = state[index] >>> 0;
    return random;
  }

  getState(): number[] {
    return Array.from(this.state);
  }

  nextUint32(): number {
    const state = this.state;
    const result = Math.imul(rotateLeft(Math.imul(state[1], 5), 7), 9) >>> 0;
    const shifted = state[1] << 9;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= shifted;
    state[3] = rotateLeft(state[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound);
  }
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}
