package gt.quetzal.web;

/** A request the API refuses: becomes RFC 9457 problem+json with this status, naming the parameter if any. */
final class ApiProblem extends RuntimeException {

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
}
