package gt.quetzal.bench.capacity;

/**
 * {@code ./quetzal capacity}: prints the capacity model's profiles, sized from the recorded bench
 * results ({@code CAPACITY_RESULTS}) and the assumptions ({@code CAPACITY_*}), as markdown.
 */
public final class CapacityMain {

  private CapacityMain() {}

  public static void main(String[] args) {
    try {
      Assumptions assumptions = Assumptions.fromEnv(System.getenv());
      System.out.print(CapacityReport.markdown(MeasuredCosts.read(assumptions.results(), assumptions.skew()), assumptions));
    } catch (IllegalArgumentException e) {
      // A bad variable or a missing result: the message names them all; a stack trace would add nothing.
      System.err.println("capacity: " + e.getMessage());
      System.exit(2);
    }
  }
}
