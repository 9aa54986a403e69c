using NodaTime;
using NodaTime.Text;

namespace QuotaKit;

/// <summary>The checks shared by policies that start from the subject's anchor (billing cycles, lifetime).</summary>
internal static class AnchorRequirement
{
    /// <summary>Returns the anchor, or throws when it is missing or after <paramref name="instant"/>.</summary>
    /// <exception cref="QuotaConfigurationException">The context has no anchor.</exception>
    /// <exception cref="PeriodOutOfRangeException"><paramref name="instant"/> is before the anchor.</exception>
    public static Instant Require(PeriodPolicy policy, Instant? anchor, Instant instant)
    {
        if (anchor is not { } value)
        {
            throw new QuotaConfigurationException(
                $"The period policy '{policy}' needs an anchor instant for the subject (its subscription or trial start); set PeriodContext.Anchor.");
        }

        if (instant < value)
        {
            throw new PeriodOutOfRangeException(
                $"No period of '{policy}' covers {Format(instant)}: it is before the anchor, and the first period starts at {Format(value)}.");
        }

        return value;
    }

    public static string Format(Instant instant) => InstantPattern.ExtendedIso.Format(instant);
}
