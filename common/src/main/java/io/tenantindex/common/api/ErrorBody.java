package io.tenantindex.common.api;

/** The JSON body of every error response: {@code {"error":"<CODE>","message":"<what was wrong>"}}. */
public record ErrorBody(String error, String message) {
}
