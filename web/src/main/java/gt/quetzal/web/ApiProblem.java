package gt.quetzal.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Json;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API refuses: becomes RFC 9457 problem+json with this status, naming the parameter if any.
 * Also where every problem answer is written, a store's outage included.
 */
final class ApiProblem extends RuntimeException {

  private static final String PROBLEM_JSON = "application/problem+json";

  private final int status;
  private final String title;
  private final String param;
  private final int retryAfterSeconds;

  private ApiProblem(int status, String title, String detail, String param, int retryAfterSeconds) {
    super(detail, null, false, false); // control flow, not a failure: no stack trace
    this.status = status;
    this.title = title;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  static ApiProblem badParam(String param, String detail) {
    return new ApiProblem(400, "Bad Request", detail, param, 0);
  }

  static ApiProblem notFound(String detail) {
    return new ApiProblem(404, "Not Found", detail, null, 0);
  }

  static ApiProblem tooManyRequests(String detail, int retryAfterSeconds) {
    return new ApiProblem(429, "Too Many Requests", detail, null, retryAfterSeconds);
  }

  static ApiProblem unavailable(String detail, int retryAfterSeconds) {
    return new ApiProblem(503, "Service Unavailable", detail, null, retryAfterSeconds);
  }

  int status() {
    return status;
  }

  String title() {
    return title;
  }

  /** The offending query or path parameter, or {@code null}. */
  String param() {
    return param;
  }

  /** Seconds for a Retry-After header, or 0 for none. */
  int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The answer to a refused request. */
  static void answer(ApiProblem e, Context ctx) {
    Map<String, Object> problem = problem(e.status(), e.title(), e.getMessage());
    if (e.param() != null) {
      problem.put("param", e.param());
    }
    if (e.retryAfterSeconds() > 0) {
      ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }
    write(ctx, e.status(), problem);
  }

  /** 503 naming the store ({@code "backend"}: {@code redis} or {@code mongo}) with a Retry-After hint. */
  static void answerUnavailable(BackendUnavailableException e, Context ctx) {
    String store = WebApp.REDIS.equals(e.backend()) ? "Redis" : "MongoDB";
    Map<String, Object> problem =
        problem(503, "Service Unavailable", store + " no responde; reintente en unos segundos.");
    problem.put("backend", e.backend());
    write(ctx.header("Retry-After", "2"), 503, problem);
  }

  private static void write(Context ctx, int status, Map<String, Object> problem) {
    try {
      WebApp.noStore(ctx).status(status).contentType(PROBLEM_JSON).result(Json.MAPPER.writeValueAsString(problem));
    } catch (JsonProcessingException impossible) {
      ctx.status(status).result(String.valueOf(problem.get("detail")));
    }
  }

  /** RFC 9457 problem details; {@code about:blank} because the status code says it all. */
  private static Map<String, Object> problem(int status, String title, String detail) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", "about:blank");
    problem.put("title", title);
    problem.put("status", status);
    problem.put("detail", detail);
    return problem;
  }
}
