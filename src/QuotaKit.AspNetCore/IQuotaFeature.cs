namespace QuotaKit.AspNetCore;

/// <summary>
/// What the gate decided for the current request, in <c>HttpContext.Features</c>; read it with
/// <see cref="QuotaHttpContextExtensions.GetQuotaFeature"/>. A handler uses <see cref="IsReplay"/> to answer a retried
/// request (same <c>Idempotency-Key</c>) without doing the work twice.
/// </summary>
public interface IQuotaFeature
{
    /// <summary>The subject the usage was charged to.</summary>
    string SubjectId { get; }

    /// <summary>The request's idempotency key (the <c>Idempotency-Key</c> header), or <c>null</c>.</summary>
    string? IdempotencyKey { get; }

    /// <summary>One decision per consumed feature, in order. A feature let through by fail-open has none.</summary>
    IReadOnlyList<UsageDecision> Decisions { get; }

    /// <summary>True when any decision is the stored answer of an earlier request with the same idempotency key.</summary>
    bool IsReplay { get; }

    /// <summary>Features let through uncounted because the store was unavailable (see <see cref="QuotaHttpOptions.FailOpenFeatures"/>).</summary>
    IReadOnlyList<string> FailedOpenFeatures { get; }
}
