using NodaTime;

namespace QuotaKit;

/// <summary>The checks of <see cref="IQuotaAdministration.AddCreditBlockAsync"/>'s arguments.</summary>
internal static class CreditBlockArguments
{
    /// <exception cref="ArgumentException">The window is empty, or an end is outside the instants QuotaKit stores.</exception>
    public static void ValidateWindow(Instant validFrom, Instant? validUntil)
    {
        if (validFrom < SupportedInstants.Min || validFrom >= SupportedInstants.Max)
        {
            throw new ArgumentException(
                $"A credit block's validFrom {validFrom} is outside the supported instants [{SupportedInstants.Min}, {SupportedInstants.Max}).",
                nameof(validFrom));
        }

        if (validUntil is { } until && (until <= validFrom || until > SupportedInstants.Max))
        {
            throw new ArgumentException(
                until <= validFrom
                    ? $"A credit block's window [{validFrom}, {until}) is empty: validUntil must be after validFrom, or null for a block that never ends."
                    : $"A credit block's validUntil {until} is past the supported instants; pass null for a block that never ends.",
                nameof(validUntil));
        }
    }

    /// <exception cref="ArgumentException">The reason is longer than <see cref="CreditBlock.MaxReasonLength"/>.</exception>
    public static void ValidateReason(string? reason)
    {
        if (reason is { Length: > CreditBlock.MaxReasonLength })
        {
            throw new ArgumentException(
                $"A credit block's reason has {reason.Length} characters; at most {CreditBlock.MaxReasonLength} are kept.", nameof(reason));
        }
    }
}
