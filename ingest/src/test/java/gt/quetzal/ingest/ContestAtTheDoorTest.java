package gt.quetzal.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.rpc.BadRequest;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.CatalogIndex;
import gt.quetzal.contract.Json;
import gt.quetzal.ingest.grpc.VoteGrpcService;
import gt.quetzal.ingest.http.IngestHttpApp;
import gt.quetzal.ingest.http.IngestHttpConfig;
import gt.quetzal.ingest.testing.AckCollector;
import gt.quetzal.ingest.testing.ControlledPublisher;
import gt.quetzal.ingest.testing.InProcessGrpc;
import gt.quetzal.proto.v1.CastStreamAck;
import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import gt.quetzal.proto.v1.VoteServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.javalin.testtools.JavalinTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * With a catalog, a vote for a band or album the contest does not list is refused at the door with a
 * field error on every route, and nothing is published; the contest is read live, so a band added
 * while ingest runs is taken from the next vote on.
 */
class ContestAtTheDoorTest {

  private static final Catalog CONTEST =
      new Catalog(
          "dos",
          List.of(
              new Catalog.Band("Band A", List.of(new Catalog.Album("Uno", 2001))),
              new Catalog.Band("Band B", List.of(new Catalog.Album("Dos", 2002)))));

  private final ControlledPublisher publisher = new ControlledPublisher();
  private final AtomicReference<CatalogIndex> contest = new AtomicReference<>(CatalogIndex.of(CONTEST));

  private static String vote(String band, String album) {
    return "{\"name\":\"" + band + "\",\"album\":\"" + album + "\",\"year\":\"2001\",\"rank\":\"50\"}";
  }

  private IngestHttpApp http() {
    return new IngestHttpApp(
        InProcessGrpc.validator().withContest(contest::get),
        publisher,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        IngestHttpConfig.fromEnv(Map.of()));
  }

  @Test
  void httpRefusesAnUnknownBandOrAlbumNamingTheFieldAndPublishesNothing() {
    JavalinTest.test(
        http().create(),
        (server, client) -> {
          var band = client.post("/votes", vote("Band C", "Uno"));
          assertThat(band.code()).isEqualTo(400);
          JsonNode problem = Json.MAPPER.readTree(band.body().string());
          assertThat(problem.path("errors").get(0).path("field").asText()).isEqualTo("name");
          assertThat(problem.path("errors").get(0).path("code").asText()).isEqualTo("not_in_contest");

          var album = client.post("/votes", vote("band a", "Dos"));
          assertThat(album.code()).isEqualTo(400);
          JsonNode albumProblem = Json.MAPPER.readTree(album.body().string());
          assertThat(albumProblem.path("errors").get(0).path("field").asText()).isEqualTo("album");
          assertThat(albumProblem.path("errors").get(0).path("message").asText()).contains("Band A");
          assertThat(publisher.nothingPublished()).isTrue();
        });
  }

  @Test
  void aBatchReportsTheUnknownItemAndPublishesTheOthers() {
    JavalinTest.test(
        http().create(),
        (server, client) -> {
          var response =
              java.util.concurrent.CompletableFuture.supplyAsync(
                  () -> client.post("/votes/batch", "[" + vote("BAND B", "dos") + "," + vote("Nadie", "Nada") + "]"));
          publisher.next().ack();
          var answered = response.get();
          assertThat(answered.code()).isEqualTo(202);
          JsonNode body = Json.MAPPER.readTree(answered.body().string());
          assertThat(body.path("accepted")).hasSize(1);
          assertThat(body.path("rejected").get(0).path("index").asInt()).isEqualTo(1);
          assertThat(body.path("rejected").get(0).path("errors").get(0).path("field").asText()).isEqualTo("name");
          assertThat(publisher.nothingPublished()).isTrue();
        });
  }

  @Test
  void aBandAddedWhileRunningIsTakenFromTheNextVoteAndAnOpenContestTakesAnyName() {
    JavalinTest.test(
        http().create(),
        (server, client) -> {
          assertThat(client.post("/votes", vote("Band C", "Tres")).code()).isEqualTo(400);

          contest.set(CatalogIndex.OPEN);
          var open =
              java.util.concurrent.CompletableFuture.supplyAsync(() -> client.post("/votes", vote("Band C", "Tres")));
          publisher.next().ack();
          assertThat(open.get().code()).isEqualTo(202);
        });
  }

  @Test
  void grpcCastIsInvalidArgumentWithAFieldViolationAndTheStreamMarksTheItemInvalid() throws Exception {
    try (InProcessGrpc grpc =
        new InProcessGrpc(
            publisher,
            new VoteGrpcService.Settings(10_000, 2_000, 64),
            InProcessGrpc.validator().withContest(contest::get))) {
      Vote unknown = Vote.newBuilder().setName("Nadie").setAlbum("Uno").setYear(2001).setRank(50).build();
      assertThatThrownBy(() -> VoteServiceGrpc.newBlockingStub(grpc.channel).cast(unknown))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(badRequest(e).getFieldViolationsList())
                    .extracting(v -> v.getField() + ":" + v.getReason())
                    .containsExactly("name:NOT_IN_CONTEST");
              });

      AckCollector acks = new AckCollector();
      var requests = VoteServiceGrpc.newStub(grpc.channel).castStream(acks);
      requests.onNext(
          CastStreamRequest.newBuilder()
              .setFirstSequence(1)
              .addVotes(unknown)
              .addVotes(unknown.toBuilder().setName("Band A").setAlbum("Dos"))
              .build());
      CastStreamAck ack = acks.next();
      requests.onCompleted();
      assertThat(ack.getResultsList())
          .extracting(CastStreamAck.Result::getOutcome)
          .containsExactly(CastStreamAck.Outcome.INVALID, CastStreamAck.Outcome.INVALID);
      assertThat(ack.getResults(1).getViolationsList())
          .extracting(gt.quetzal.proto.v1.FieldViolation::getField)
          .containsExactly("album");
      assertThat(publisher.nothingPublished()).isTrue();
    }
  }

  private static BadRequest badRequest(StatusRuntimeException e) {
    try {
      for (var any : StatusProto.fromThrowable(e).getDetailsList()) {
        if (any.is(BadRequest.class)) {
          return any.unpack(BadRequest.class);
        }
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
    throw new AssertionError("no BadRequest detail");
  }
}
