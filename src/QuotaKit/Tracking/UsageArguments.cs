using System.Text.Json;
using NodaTime;

namespace QuotaKit;

/// <summary>Argument checks shared by every tracker, so bad input fails the same way before anything is written.</summary>
internal static class UsageArguments
{
    public const int SubjectIdMaxLength = 256;
    public const int IdempotencyKeyMaxLength = 200;

    /// <exception cref="InvalidSubjectException">
    /// Null, empty, whitespace, longer than 256 characters, containing NUL, or not valid Unicode (an unpaired surrogate,
    /// which PostgreSQL's UTF-8 text cannot store as given).
    /// </exception>
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

        if (HasUnpairedSurrogate(subjectId))
        {
            throw new InvalidSubjectException("it is not valid Unicode (it contains an unpaired UTF-16 surrogate).");
        }
    }

    /// <exception cref="InvalidAmountException">The amount is zero or negative.</exception>
    public static void ValidatePositive(long amount)
    {
        if (amount <= 0)
        {
            throw new InvalidAmountException(amount, "it must be positive. Pass 1 or more units.");
        }
    }

    /// <exception cref="InvalidAmountException">The gauge value is negative.</exception>
    public static void ValidateGaugeValue(long value)
    {
        if (value < 0)
        {
            throw new InvalidAmountException(value, "a gauge value cannot be negative. Pass 0 or more.");
        }
    }

    /// <exception cref="ArgumentException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    public static void ValidateHistoryRange(Instant from, Instant to)
    {
        if (to <= from)
        {
            throw new ArgumentException($"The history range [{from}, {to}) is empty: 'to' must be after 'from'.", nameof(to));
        }
    }

    /// <exception cref="ArgumentException"><paramref name="validUntil"/> is not after <paramref name="validFrom"/>.</exception>
    public static void ValidateGrantWindow(Instant validFrom, Instant validUntil)
    {
        if (validUntil <= validFrom)
        {
            throw new ArgumentException($"A grant's validity [{validFrom}, {validUntil}) is empty: validUntil must be after validFrom.", nameof(validUntil));
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
            (string.IsNullOrWhiteSpace(key) || key.Length > IdempotencyKeyMaxLength || key.Contains('\0', StringComparison.Ordinal)
             || HasUnpairedSurrogate(key)))
        {
            throw new InvalidUsageOptionsException(
                $"the idempotency key must be 1 to {IdempotencyKeyMaxLength} characters of valid Unicode, not whitespace, without NUL.");
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

            // The parsed names and values are checked, not the raw text: "C:\\u0000dir" is an escaped backslash, no NUL.
            if (FindInvalidString(document.RootElement) is { } problem)
            {
                throw new InvalidUsageOptionsException(problem);
            }
        }
        catch (JsonException exception)
        {
            throw new InvalidUsageOptionsException($"metadata is not valid JSON ({exception.Message.TrimEnd('.')}).");
        }
    }

    /// <summary>
    /// What jsonb cannot store in a property name or string value: the NUL character, or invalid Unicode (an unpaired
    /// surrogate); <c>null</c> when every one is fine.
    /// </summary>
    private static string? FindInvalidString(JsonElement element)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.String => InvalidText(element.GetString()!),
                JsonValueKind.Array => element.EnumerateArray().Select(FindInvalidString).FirstOrDefault(p => p is not null),
                JsonValueKind.Object => element.EnumerateObject()
                    .Select(p => InvalidText(p.Name) ?? FindInvalidString(p.Value)).FirstOrDefault(p => p is not null),
                _ => null,
            };
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to decode an invalid escape sequence.
            return "metadata contains a string that is not valid Unicode (an unpaired surrogate).";
        }
    }

    private static string? InvalidText(string text) =>
        text.Contains('\0', StringComparison.Ordinal) ? "metadata cannot contain the NUL character (PostgreSQL's jsonb cannot store it)."
        : HasUnpairedSurrogate(text) ? "metadata contains a string that is not valid Unicode (an unpaired surrogate)."
        : null;

    private static bool HasUnpairedSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
