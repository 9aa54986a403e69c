using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>
/// A reusable <c>quotakit.record_usage_v8</c> command with its 21 typed parameters (22 for a reservation), so a call allocates no command and no
/// parameter objects: <see cref="Bind"/> sets the values, the caller attaches a connection, executes and returns it to
/// its pool. One instance is used by one call at a time.
/// </summary>
internal sealed class RecordUsageStatement
{
    public const string Sql =
        "SELECT * FROM quotakit.record_usage_v8($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)";

    // A reservation: the same write, plus the hold's expiry (before the rollover's two parameters).
    public const string ReserveSql =
        "SELECT * FROM quotakit.reserve_usage_v8($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)";

    private readonly NpgsqlParameter<string> _subjectId = new() { NpgsqlDbType = NpgsqlDbType.Text };
    private readonly NpgsqlParameter<string> _featureKey = new() { NpgsqlDbType = NpgsqlDbType.Text };
    private readonly NpgsqlParameter<DateTime> _periodStart = new() { NpgsqlDbType = NpgsqlDbType.TimestampTz };
    private readonly NpgsqlParameter<DateTime> _periodEnd = new() { NpgsqlDbType = NpgsqlDbType.TimestampTz };
    private readonly NpgsqlParameter<string> _operation = new() { NpgsqlDbType = NpgsqlDbType.Text };
    private readonly NpgsqlParameter<long> _amount = new() { NpgsqlDbType = NpgsqlDbType.Bigint };
    private readonly NpgsqlParameter _limit = new() { NpgsqlDbType = NpgsqlDbType.Bigint };
    private readonly NpgsqlParameter<bool> _enforce = new() { NpgsqlDbType = NpgsqlDbType.Boolean };
    private readonly NpgsqlParameter<short> _deniedOutcome = new() { NpgsqlDbType = NpgsqlDbType.Smallint };
    private readonly NpgsqlParameter<short> _limitKind = new() { NpgsqlDbType = NpgsqlDbType.Smallint };
    private readonly NpgsqlParameter<bool> _limitSoft = new() { NpgsqlDbType = NpgsqlDbType.Boolean };
    private readonly NpgsqlParameter<int[]> _thresholds = new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer };
    private readonly NpgsqlParameter<DateTime> _now = new() { NpgsqlDbType = NpgsqlDbType.TimestampTz };
    private readonly NpgsqlParameter<DateTime> _occurredAt = new() { NpgsqlDbType = NpgsqlDbType.TimestampTz };
    private readonly NpgsqlParameter _idempotencyKey = new() { NpgsqlDbType = NpgsqlDbType.Text };
    private readonly NpgsqlParameter _metadata = new() { NpgsqlDbType = NpgsqlDbType.Jsonb };
    private readonly NpgsqlParameter<bool> _recordEvent = new() { NpgsqlDbType = NpgsqlDbType.Boolean };
    private readonly NpgsqlParameter<Guid> _callId = new() { NpgsqlDbType = NpgsqlDbType.Uuid };
    private readonly NpgsqlParameter _subjectVersion = new() { NpgsqlDbType = NpgsqlDbType.Bigint };
    private readonly NpgsqlParameter<DateTime>? _holdExpiresAt;
    private readonly NpgsqlParameter _rolloverCap = new() { NpgsqlDbType = NpgsqlDbType.Bigint };
    private readonly NpgsqlParameter _rolloverUntil = new() { NpgsqlDbType = NpgsqlDbType.TimestampTz };

    /// <param name="reserve">True for a statement that reserves (<see cref="UsageWrite.HoldExpiresAt"/> set).</param>
    public RecordUsageStatement(bool reserve = false)
    {
        Command = new NpgsqlCommand(reserve ? ReserveSql : Sql);
        NpgsqlParameter[] parameters =
        [
            _subjectId, _featureKey, _periodStart, _periodEnd, _operation, _amount, _limit, _enforce, _deniedOutcome,
            _limitKind, _limitSoft, _thresholds, _now, _occurredAt, _idempotencyKey, _metadata, _recordEvent, _callId,
            _subjectVersion,
        ];
        Command.Parameters.AddRange(parameters);
        if (reserve)
        {
            // Stryker disable once Initializer : equivalent. Npgsql sends a DateTime of kind Utc (ToDateTimeUtc) as
            // timestamptz without being told; the type is stated for the reader.
            _holdExpiresAt = new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
            Command.Parameters.Add(_holdExpiresAt);
        }

        Command.Parameters.Add(_rolloverCap);
        Command.Parameters.Add(_rolloverUntil);
    }

    public NpgsqlCommand Command { get; }

    /// <summary>Sets every parameter from <paramref name="write"/> (the same values and types as a fresh command would send).</summary>
    public void Bind(UsageWrite write, bool recordEvent)
    {
        _subjectId.TypedValue = write.SubjectId;
        _featureKey.TypedValue = write.FeatureKey;
        _periodStart.TypedValue = write.Period.Start.ToDateTimeUtc();
        _periodEnd.TypedValue = write.Period.End.ToDateTimeUtc();
        _operation.TypedValue = write.OperationName;
        _amount.TypedValue = write.Amount;
        _limit.Value = write.Limit.AsNumber is { } limit ? (object)limit : DBNull.Value;
        _enforce.TypedValue = write.Enforce;
        _deniedOutcome.TypedValue = (short)write.DeniedOutcome;
        _limitKind.TypedValue = (short)write.Limit.Kind;
        _limitSoft.TypedValue = write.Limit.IsSoft;
        // The tracker passes its cached array; copy only if another list ever arrives.
        // Stryker disable once NullCoalescing : equivalent. AlertThresholds is an int[] by construction (UsageWrite keeps
        // one), so the copy never runs; dropping either side changes nothing while that holds.
        _thresholds.TypedValue = write.AlertThresholds as int[] ?? [.. write.AlertThresholds];
        _now.TypedValue = write.RecordedAt.ToDateTimeUtc();
        _occurredAt.TypedValue = write.OccurredAt.ToDateTimeUtc();
        _idempotencyKey.Value = (object?)write.IdempotencyKey ?? DBNull.Value;
        _metadata.Value = (object?)write.MetadataJson ?? DBNull.Value;
        _recordEvent.TypedValue = recordEvent;
        _callId.TypedValue = write.CallId;
        _subjectVersion.Value = write.SubjectVersion is { } version ? version : DBNull.Value;
        _rolloverCap.Value = write.Rollover?.Cap is { } cap ? cap : DBNull.Value;
        _rolloverUntil.Value = write.RolloverValidUntil is { } until ? until.ToDateTimeUtc() : DBNull.Value;
        if (_holdExpiresAt is not null)
        {
            // Stryker disable once String : unreachable. Only a reservation's statement has this parameter, and the store
            // binds only reservations (HoldExpiresAt set) to it; the message guards a change of that.
            _holdExpiresAt.TypedValue = (write.HoldExpiresAt ?? throw new ArgumentException($"{write} is not a reservation.", nameof(write))).ToDateTimeUtc();
        }
    }

    /// <summary>Drops the references to the last call's values and connection before the statement goes back to its pool.</summary>
    // Stryker disable all : equivalent. Pooling hygiene: Bind sets every parameter again (docs/mutation-testing.md).
    public void Clear()
    {
        Command.Connection = null;
        _subjectId.TypedValue = null;
        _featureKey.TypedValue = null;
        _thresholds.TypedValue = null;
        _idempotencyKey.Value = DBNull.Value;
        _metadata.Value = DBNull.Value;
    }
    // Stryker restore all
}
