namespace QuotaKit.PostgreSql.Tests.Periods;

/// <summary>How QuotaKit's period start compares with PostgreSQL's date_trunc for one instant.</summary>
internal enum Outcome
{
    /// <summary>Same instant.</summary>
    Agrees,

    /// <summary>The local boundary occurs twice: QuotaKit takes the earlier instant, PostgreSQL the later.</summary>
    AmbiguousBoundary,

    /// <summary>The local boundary was skipped: QuotaKit starts after the gap, PostgreSQL uses the offset before it.</summary>
    SkippedBoundary,

    /// <summary>
    /// The instant's local time is in a repeated stretch that the next boundary's first occurrence already started,
    /// so QuotaKit puts it in the next period while PostgreSQL truncates its local date.
    /// </summary>
    RepeatedAfterNextBoundary,

    /// <summary>NodaTime's and PostgreSQL's tzdb copies give the zone different offsets here.</summary>
    TzdbDiffers,

    /// <summary>A real disagreement: a failure.</summary>
    Disagrees,
}
