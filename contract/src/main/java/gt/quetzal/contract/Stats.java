package gt.quetzal.contract;

/** Keys of {@code tallies.stats}, and the matching fields of the Redis stats hash. */
public final class Stats {

  public static final String ACCEPTED = "accepted";
  public static final String DUPLICATES = "duplicates";
  /** Total rejected, all reasons together. */
  public static final String REJECTED = "rejected";
  private static final String REJECTED_PREFIX = "rejected.";

  /** The key counting rejections for one reason, e.g. {@code rejected.late}. */
  public static String rejected(String reason) {
    return REJECTED_PREFIX + reason;
  }

  private Stats() {}
}
