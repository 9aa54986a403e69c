using System.Text.Json;

namespace QuotaKit;

/// <summary>Argument checks shared by every tracker, so bad input fails the same way before anything is written.</summary>
internal static class UsageArguments
{
    public const int SubjectIdMaxLength = 256;
    public const int IdempotencyKeyMaxLength = 200;

    /// <exception cref="InvalidSubjectException">Null, empty, whitespace, longer than 256 characters, or containing NUL.</exception>
    public static void ValidateSubject(string subjectId)
    {
        if (string.IsNullOrWhiteSpace(subjectId))
        {
            throw new InvalidSubjectException("it is null, empty or whitespace.");
        }

        if (subjectId.Length > SubjectIdMaxLength)
        {
            throw new InvalidSubjectException($"it has {subjectId.Length} characters; at most {SubjectIdMaxLength} are allowed.");
        }

        if (subjectId.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidSubjectException("it contains a NUL character.");
        }
    }

    /// <exception cref="InvalidAmountException">The amount is zero or negative.</exception>
    public static void ValidatePositive(long amount)
    {
        if (amount <= 0)
        {
            throw new InvalidAmountException(amount, "it must be positive.");
        }
    }

    /// <exception cref="InvalidAmountException">The gauge value is negative.</exception>
    public static void ValidateGaugeValue(long value)
    {
        if (value < 0)
        {
            throw new InvalidAmountException(value, "a gauge value cannot be negative.");
        }
    }

    /// <exception cref="InvalidUsageOptionsException">The key or metadata is invalid.</exception>
    public static void ValidateOptions(UsageOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.IdempotencyKey is { } key &&
            (string.IsNullOrWhiteSpace(key) || key.Length > IdempotencyKeyMaxLength || key.Contains('\0', StringComparison.Ordinal)))
        {
            throw new InvalidUsageOptionsException(
                $"the idempotency key must be 1 to {IdempotencyKeyMaxLength} characters, not whitespace, without NUL.");
        }

        if (options.MetadataJson is { } json)
        {
            ValidateMetadata(json);
        }
    }

    private static void ValidateMetadata(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidUsageOptionsException("metadata must be a JSON object.");
            }
        }
        catch (JsonException exception)
        {
            throw new InvalidUsageOptionsException($"metadata is not valid JSON ({exception.Message}).");
        }

        // PostgreSQL's jsonb cannot hold the NUL character.
        if (json.Contains("\\u0000", StringComparison.OrdinalIgnoreCase) || json.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidUsageOptionsException("metadata cannot contain the NUL character.");
        }
    }
}
