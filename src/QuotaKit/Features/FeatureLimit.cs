using System.Globalization;

namespace QuotaKit;

/// <summary>
/// A plan's limit for one feature: a number of units per period (hard: refuse beyond it; soft: alert only),
/// unlimited, or disabled.
/// </summary>
public readonly record struct FeatureLimit
{
    private FeatureLimit(LimitKind kind, long value, bool isSoft)
    {
        Kind = kind;
        Value = value;
        IsSoft = isSoft;
    }

    /// <summary>Limited, unlimited or disabled.</summary>
    public LimitKind Kind { get; }

    /// <summary>The number of units per period when <see cref="Kind"/> is <see cref="LimitKind.Limited"/>; otherwise 0.</summary>
    public long Value { get; }

    /// <summary>A soft limit alerts when crossed but never refuses.</summary>
    public bool IsSoft { get; }

    /// <summary>No limit.</summary>
    public static FeatureLimit Unlimited { get; } = new(LimitKind.Unlimited, 0, false);

    /// <summary>The feature is not available.</summary>
    public static FeatureLimit Disabled { get; } = new(LimitKind.Disabled, 0, false);

    /// <summary>A hard limit: consumption beyond <paramref name="value"/> units per period is refused.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static FeatureLimit Hard(long value) => new(LimitKind.Limited, RequireNonNegative(value), false);

    /// <summary>A soft limit: crossing <paramref name="value"/> fires alerts but nothing is refused.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static FeatureLimit Soft(long value) => new(LimitKind.Limited, RequireNonNegative(value), true);

    /// <summary>The limit as a number, <c>null</c> when unlimited, 0 when disabled.</summary>
    public long? AsNumber => Kind switch
    {
        LimitKind.Limited => Value,
        LimitKind.Disabled => 0,
        _ => null,
    };

    /// <summary>
    /// A limit from its stored parts, for stores: the kind, the number (read only for a limited kind) and the soft flag
    /// (read only for a limited kind).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A limited kind with a negative number.</exception>
    public static FeatureLimit FromParts(LimitKind kind, long? value, bool isSoft) => kind switch
    {
        LimitKind.Unlimited => Unlimited,
        LimitKind.Disabled => Disabled,
        _ => isSoft ? Soft(value ?? 0) : Hard(value ?? 0),
    };

    /// <summary>
    /// Parses <c>"100"</c>, <c>"100 soft"</c>, <c>"100 hard"</c>, <c>"unlimited"</c> or <c>"disabled"</c> (case-insensitive).
    /// </summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static FeatureLimit Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["unlimited"])
        {
            return Unlimited;
        }

        if (parts is ["disabled"])
        {
            return Disabled;
        }

        if (parts.Length is 1 or 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            if (parts.Length == 1 || parts[1] == "hard")
            {
                return Hard(value);
            }

            if (parts[1] == "soft")
            {
                return Soft(value);
            }
        }

        throw new FormatException(
            $"'{text}' is not a limit. Use a non-negative whole number (optionally followed by 'soft' or 'hard'), 'unlimited' or 'disabled'.");
    }

    /// <summary>Units left once <paramref name="used"/> units are used: <c>null</c> when unlimited, 0 when disabled or
    /// at or past the limit.</summary>
    public long? RemainingAfter(long used) => Kind switch
    {
        LimitKind.Unlimited => null,
        LimitKind.Disabled => 0,
        _ => Math.Max(0, Value - used),
    };

    /// <summary>
    /// Units left with credit blocks: what the limit leaves of the plan's part of <paramref name="used"/> (the rest,
    /// <paramref name="blocksBurned"/>, came from blocks) plus <paramref name="blocksLeft"/>, the usable blocks' remainder,
    /// saturating at <see cref="long.MaxValue"/>. <c>null</c> when unlimited, 0 when disabled (blocks never enable it).
    /// </summary>
    internal long? RemainingAfter(long used, long blocksBurned, long blocksLeft) =>
        Kind == LimitKind.Limited ? CreditBalances.Add(Math.Max(0, Value - (used - blocksBurned)), blocksLeft) : RemainingAfter(used);

    /// <summary>Adds granted units to a numeric limit; unlimited and disabled stay as they are.</summary>
    public FeatureLimit WithExtra(long units) =>
        Kind == LimitKind.Limited && units > 0
            ? new FeatureLimit(Kind, Value > long.MaxValue - units ? long.MaxValue : Value + units, IsSoft)
            : this;

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        LimitKind.Limited => IsSoft ? $"{Value} soft" : Value.ToString(CultureInfo.InvariantCulture),
        LimitKind.Unlimited => "unlimited",
        _ => "disabled",
    };

    private static long RequireNonNegative(long value) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A limit cannot be negative.");
}
