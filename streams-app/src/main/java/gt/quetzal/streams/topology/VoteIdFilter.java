package gt.quetzal.streams.topology;

/**
 * A fixed-size Bloom filter over voteIds: {@link #mightContain} is never false for a voteId that was
 * {@link #add added}, and is true for one that was not with a probability that grows with the number
 * added ({@value #HASHES} hashes over {@code bits} bits: about 0.1% at 500,000 voteIds in 1 MiB, 16%
 * at 2,000,000). A false "maybe" only costs {@link VoteIdMemory} a store read; a false "no" cannot
 * happen, which is what keeps the dedup exact.
 */
final class VoteIdFilter {

  static final int HASHES = 5;

  private final long[] words;
  private final long bitMask;

  /** @param bits a power of two, at least 64 */
  VoteIdFilter(int bits) {
    if (bits < 64 || Integer.bitCount(bits) != 1) {
      throw new IllegalArgumentException("bits must be a power of two >= 64, got " + bits);
    }
    this.words = new long[bits >>> 6];
    this.bitMask = bits - 1L;
  }

  void add(String voteId) {
    add(hash(voteId));
  }

  boolean mightContain(String voteId) {
    return mightContain(hash(voteId));
  }

  /** {@link #add(String)} with the voteId's {@link #hash} already taken. */
  void add(long h1) {
    long h2 = mix(h1 ^ 0x9E3779B97F4A7C15L) | 1L;
    for (int i = 0; i < HASHES; i++) {
      long bit = (h1 + i * h2) & bitMask;
      words[(int) (bit >>> 6)] |= 1L << bit;
    }
  }

  /** {@link #mightContain(String)} with the voteId's {@link #hash} already taken. */
  boolean mightContain(long h1) {
    long h2 = mix(h1 ^ 0x9E3779B97F4A7C15L) | 1L;
    for (int i = 0; i < HASHES; i++) {
      long bit = (h1 + i * h2) & bitMask;
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** FNV-1a over the UTF-16 chars, then a 64-bit finaliser so that every bit depends on every char. */
  static long hash(String text) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0; i < text.length(); i++) {
      h = (h ^ text.charAt(i)) * 0x100000001B3L;
    }
    return mix(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
