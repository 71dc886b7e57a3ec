namespace Hearth.Server.Api;

/// <summary>
/// An error answered in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c> with an HTTP status.
/// Everything a client can cause ends as one of these; nothing a client sends becomes a 500.
/// </summary>
public sealed class ApiException(int status, string message, string type, string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;
    /// <summary>Seconds for a Retry-After header (429).</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiException BadRequest(string message, string? param, string code = "invalid_value") =>
        new(400, message, "invalid_request_error", param, code);

    public static ApiException Missing(string param) =>
        new(400, $"missing required parameter '{param}'", "invalid_request_error", param, "missing_required_parameter");

    public static ApiException WrongType(string param, string expected) =>
        new(400, $"'{param}' must be {expected}", "invalid_request_error", param, "invalid_type");

    public static ApiException Unauthorized(string message) => new(401, message, "invalid_request_error", null, "invalid_api_key");

    public static ApiException ModelNotFound(string model) =>
        new(404, $"the model '{model}' does not exist", "invalid_request_error", "model", "model_not_found");

    public static ApiException NotFound(string message) => new(404, message, "invalid_request_error", null, "not_found");

    public static ApiException ContextTooLong(string message) => new(413, message, "invalid_request_error", "messages", "context_length_exceeded");

    public static ApiException Overloaded(string message, int retryAfterSeconds) =>
        new(429, message, "rate_limit_exceeded", null, "rate_limit_exceeded") { RetryAfterSeconds = retryAfterSeconds };
}
