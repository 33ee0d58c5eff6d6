package gt.quetzal.bench;

import jdk.jfr.consumer.RecordedFrame;

/** How the benches' profile reports name a JFR stack frame. */
public final class JfrFrames {

  private JfrFrames() {}

  /** {@code SimpleClassName.method}: short, and what the stage patterns and the reports match on. */
  public static String name(RecordedFrame frame) {
    String type = frame.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
  }
}
