package gt.quetzal.load.reconcile;

import gt.quetzal.contract.Catalog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny traffic file and catalog the reconciler tests share. */
final class ReconcileFixtures {

  static final Catalog CATALOG = Catalog.load(Path.of("..", "config", "catalog.json"));
  static final VoteClassifier CLASSIFIER = VoteClassifier.of(CATALOG);

  /** Row 0, 1: valid (two bands); 2: unknown band; 3: unknown album; 4: bad rank (ingest refuses it). */
  static final List<Map<String, String>> TRAFFIC =
      List.of(
          vote("Alux Nahual", "Hielo y Fuego", "1983", "90"),
          vote("Malacates Trébol Shop", "Resaca", "2002", "87"),
          vote("Banda Inexistente", "Resaca", "2002", "50"),
          vote("Alux Nahual", "Disco Perdido", "1983", "50"),
          vote("Alux Nahual", "Hielo y Fuego", "1983", "0"));

  static Map<String, String> vote(String name, String album, String year, String rank) {
    Map<String, String> vote = new LinkedHashMap<>();
    vote.put("name", name);
    vote.put("album", album);
    vote.put("year", year);
    vote.put("rank", rank);
    return vote;
  }

  static Send send(String voteId, int row, Send.Outcome outcome) {
    return send(voteId, "http", row, outcome, 1);
  }

  static Send send(String voteId, String route, int row, Send.Outcome outcome, int attempts) {
    int status =
        switch (outcome) {
          case ACCEPTED -> 202;
          case REJECTED -> 400;
          case FAILED -> 503;
          case UNFINISHED -> 0;
        };
    return new Send(voteId, route, row, outcome, status, attempts, 1_000, 2.0);
  }

  private ReconcileFixtures() {}
}
