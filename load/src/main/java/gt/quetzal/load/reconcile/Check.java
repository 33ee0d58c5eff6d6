package gt.quetzal.load.reconcile;

/** One comparison of the verdict: what it looked at, what it expected, what it found. */
public record Check(String name, String expected, String actual, boolean ok) {

  static Check range(String name, Range expected, long actual) {
    return new Check(name, expected.toString(), String.format("%,d", actual), expected.contains(actual));
  }

  static Check equal(String name, long expected, long actual) {
    return new Check(name, String.format("%,d", expected), String.format("%,d", actual), expected == actual);
  }
}
