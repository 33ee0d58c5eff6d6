package gt.quetzal.load.reconcile;

/**
 * An expected count. Exact ({@code min == max}) when every vote's fate is known; wider when some
 * votes failed or were cut off, since the pipeline may or may not have them.
 */
public record Range(long min, long max) {

  public static final Range ZERO = new Range(0, 0);

  public Range {
    if (min > max) {
      throw new IllegalArgumentException("min " + min + " > max " + max);
    }
  }

  public static Range exactly(long value) {
    return new Range(value, value);
  }

  public boolean contains(long value) {
    return value >= min && value <= max;
  }

  public Range plus(long certain, long possible) {
    return new Range(min + certain, max + certain + possible);
  }

  @Override
  public String toString() {
    return min == max ? String.format("%,d", min) : String.format("%,d..%,d", min, max);
  }
}
