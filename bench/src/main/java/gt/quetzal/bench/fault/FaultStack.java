package gt.quetzal.bench.fault;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A running Quetzal that a fault run can send votes to, read back from, and break on purpose. */
public interface FaultStack extends AutoCloseable {

  /**
   * Where votes go and where the stores are read.
   *
   * @param ingestHttp base URL of ingest-http ({@code POST /votes})
   * @param streamsUrl base URL of the streams app (health, interactive queries)
   * @param bootstrapServers Kafka, for the recount
   */
  record Endpoints(
      URI ingestHttp, String grpcHost, int grpcPort, URI streamsUrl, URI redisUrl, String mongoUri,
      String bootstrapServers) {}

  Endpoints endpoints();

  /** The faults {@link #inject} knows how to cause on this stack. */
  Set<Fault> supports();

  /**
   * The votes of run {@code runId}: band names and, for each band, an album that counts. A stack without
   * a catalog gets bands of its own, so runs never touch each other's totals.
   */
  Map<String, String> bandsFor(String runId);

  /** Where the child processes' logs are, for the report. */
  List<String> logLocations();

  /**
   * Causes {@code fault} and returns once the stack is whole again (every restarted part ready).
   *
   * @throws IllegalStateException if a part does not come back
   */
  FaultEvidence inject(Fault fault);

  @Override
  void close();
}
