using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using NodaTime;

namespace QuotaKit.AspNetCore;

/// <summary>
/// Writes <c>RateLimit-Policy</c> and <c>RateLimit</c> as structured-field lists (draft-ietf-httpapi-ratelimit-headers-11):
/// one item per feature, named by its key, e.g. <c>"images";q=100;w=86400</c> and <c>"images";r=42;t=3600</c>.
/// Mapping (see README): <c>q</c> is the hard limit in the feature's units, <c>w</c> the length of the current period in
/// seconds (a month or billing cycle varies from period to period), <c>r</c> the units left, <c>t</c> the seconds until
/// the period ends. A lifetime period has no <c>w</c> and no <c>t</c> (it never resets); a disabled feature is
/// <c>q=0</c>, <c>r=0</c> without <c>t</c> (no reset lifts it). Unlimited features and soft limits refuse nothing, so
/// they are not advertised.
/// </summary>
internal static class RateLimitHeaders
{
    public const string PolicyHeaderName = "RateLimit-Policy";
    public const string StateHeaderName = "RateLimit";

    /// <summary>The largest structured-field integer (15 digits).</summary>
    private const long MaxStructuredInteger = 999_999_999_999_999;

    public static void Write(HttpResponse response, IReadOnlyList<UsageDecision> decisions, Instant now)
    {
        var policy = new StringBuilder();
        var state = new StringBuilder();
        foreach (var decision in decisions)
        {
            if (decision.Limit.Kind == LimitKind.Unlimited || decision.Limit.IsSoft)
            {
                continue;
            }

            var separator = policy.Length == 0 ? "" : ", ";
            var disabled = decision.Limit.Kind == LimitKind.Disabled;
            var lifetime = decision.Period.End == PeriodPolicy.LifetimeEnd;
            policy.Append(separator).Append('"').Append(decision.FeatureKey).Append("\";q=").Append(Clamp(decision.Limit.AsNumber ?? 0));
            if (!lifetime)
            {
                policy.Append(";w=").Append(Clamp(CeilingSeconds(decision.Period.Duration)));
            }

            state.Append(separator).Append('"').Append(decision.FeatureKey).Append("\";r=").Append(Clamp(decision.Remaining ?? 0));
            if (!lifetime && !disabled)
            {
                state.Append(";t=").Append(Clamp(SecondsUntil(decision.ResetsAt, now)));
            }
        }

        if (policy.Length == 0)
        {
            response.Headers.Remove(PolicyHeaderName);
            response.Headers.Remove(StateHeaderName);
            return;
        }

        response.Headers[PolicyHeaderName] = policy.ToString();
        response.Headers[StateHeaderName] = state.ToString();
    }

    /// <summary>Whole seconds from <paramref name="now"/> to <paramref name="instant"/>, rounded up, never negative.</summary>
    public static long SecondsUntil(Instant instant, Instant now) => instant <= now ? 0 : CeilingSeconds(instant - now);

    /// <summary>Whether a period can be waited out: false for lifetime periods.</summary>
    public static bool Resets(UsagePeriod period) => period.End != PeriodPolicy.LifetimeEnd;

    public static string Format(long value) => Clamp(value).ToString(CultureInfo.InvariantCulture);

    private static long CeilingSeconds(Duration duration) => (long)Math.Ceiling(duration.TotalSeconds);

    private static long Clamp(long value) => Math.Clamp(value, 0, MaxStructuredInteger);
}
