package gt.quetzal.streams.runtime;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThreadReplacingHandlerTest {

  private final AtomicLong nanos = new AtomicLong();
  private final ThreadReplacingHandler handler =
      new ThreadReplacingHandler(2, Duration.ofMinutes(1), nanos::get);
  private final RuntimeException boom = new IllegalStateException("boom");

  @Test
  void replacesUpToTheLimitThenShutsTheClientDown() {
    assertThat(handler.handle(boom)).isEqualTo(REPLACE_THREAD);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(handler.handle(boom)).isEqualTo(REPLACE_THREAD);
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(handler.handle(boom)).isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void deathsOutsideTheWindowAreForgiven() {
    assertThat(handler.handle(boom)).isEqualTo(REPLACE_THREAD);
    assertThat(handler.handle(boom)).isEqualTo(REPLACE_THREAD);
    nanos.addAndGet(Duration.ofMinutes(1).plusSeconds(1).toNanos());
    assertThat(handler.handle(boom)).isEqualTo(REPLACE_THREAD);
  }
}
