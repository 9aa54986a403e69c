using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Periods;

/// <summary>One row of PostgreSQL's answer: the instant's local time, its truncated local time, and date_trunc's instant.</summary>
internal readonly record struct PostgresTruncation(LocalDateTime LocalInstant, LocalDateTime LocalBoundary, Instant Start);
