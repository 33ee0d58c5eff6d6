package gt.quetzal.ingest.http;

import gt.quetzal.ingest.core.FieldViolation;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors as problem+json: requests Jetty refuses before they reach a route (a URI
 * with {@code %00} or an ambiguous {@code %2e%2e} segment, a header line cut short, a request
 * that idled out in its headers). Without this they would get Jetty's HTML page, the one answer of
 * the service that a client could not parse like every other.
 */
final class ProblemErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(
      Request request, Response response, int code, String message, Throwable cause, Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, HttpJson.PROBLEM_JSON);
    // Requests with their headers intact that Jetty still refuses are refused for their URI
    // (%00, encoded dot segments); header-level failures come through badMessageError instead.
    String field = code == 400 ? "path" : null;
    response.write(true, ByteBuffer.wrap(body(code, message, field)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, HttpJson.PROBLEM_JSON);
    return ByteBuffer.wrap(body(status, reason, null));
  }

  /** @param field the part of the request at fault, or null to guess it from the status and reason */
  static byte[] body(int status, String reason, String field) {
    String title = HttpStatus.getMessage(status);
    String detail = reason == null || reason.isBlank() ? title : reason;
    String lower = detail.toLowerCase(Locale.ROOT);
    if (field == null) {
      field = lower.contains("uri") || lower.contains("path") ? "path" : status == 408 ? "body" : "request";
    }
    Problem problem =
        new Problem(
            "urn:quetzal:problem:bad-request-" + status,
            title,
            status,
            "The request was refused before it reached a route: " + detail + ".",
            status >= 400 && status < 500 ? List.of(new FieldViolation(field, "rejected", detail)) : List.of());
    return HttpJson.bytes(problem);
  }
}
