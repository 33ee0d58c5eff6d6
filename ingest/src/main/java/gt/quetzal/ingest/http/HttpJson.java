package gt.quetzal.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import io.javalin.http.Context;

/** How ingest-http writes its answers: JSON with the contract's mapper, errors as problem+json. */
final class HttpJson {

  static final String JSON = "application/json";
  static final String PROBLEM_JSON = "application/problem+json";

  private HttpJson() {}

  static void write(Context ctx, int status, Object body) {
    ctx.status(status).contentType(JSON).result(bytes(body));
  }

  /** A problem document, or one that carries it with extension members (see {@link BatchResult.WithProblem}). */
  static void problem(Context ctx, int status, Object document) {
    ctx.status(status).contentType(PROBLEM_JSON).result(bytes(document));
  }

  static void problem(Context ctx, Problem problem) {
    problem(ctx, problem.status(), problem);
  }

  static byte[] bytes(Object value) {
    try {
      return Json.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write response JSON", e);
    }
  }
}
