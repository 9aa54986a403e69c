using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>One call of <c>quotakit.settle_hold_v8</c> (<see cref="UsageStore.SettleHoldAsync"/>) and its answer.</summary>
internal static class SettleHoldCall
{
    public const string Sql = "SELECT * FROM quotakit.settle_hold_v8($1, $2, $3, $4, $5, $6, $7, $8, $9)";

    public static async ValueTask<HoldSettleResult> ExecuteAsync(
        NpgsqlDataSource dataSource, HoldSettleRequest request, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql);
        var p = command.Parameters;
        p.Add(NpgsqlValues.Text(request.SubjectId));
        p.Add(NpgsqlValues.Text(request.FeatureKey));
        p.Add(new NpgsqlParameter<Guid> { TypedValue = request.HoldId, NpgsqlDbType = NpgsqlDbType.Uuid });
        p.Add(new NpgsqlParameter<bool> { TypedValue = request.Commit, NpgsqlDbType = NpgsqlDbType.Boolean });
        p.Add(new NpgsqlParameter<long> { TypedValue = request.ActualAmount, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = request.Limit.AsNumber is { } limit ? limit : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        // Stryker disable once NullCoalescing : equivalent. AlertThresholds is an int[] by construction (HoldSettleRequest
        // keeps one), so the copy never runs; dropping either side changes nothing while that holds.
        p.Add(new NpgsqlParameter<int[]> { TypedValue = request.AlertThresholds as int[] ?? [.. request.AlertThresholds], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        p.Add(NpgsqlValues.Timestamp(request.RecordedAt));
        p.Add(new NpgsqlParameter<short> { TypedValue = (short)request.Limit.Kind, NpgsqlDbType = NpgsqlDbType.Smallint });
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return HoldSettleResult.NotFound;
            }

            return new HoldSettleResult(
                Found: true,
                State: ParseState(reader.GetString(0)),
                Changed: reader.GetBoolean(1),
                HeldAmount: reader.GetInt64(2),
                SettledAmount: reader.GetInt64(3),
                Used: reader.GetInt64(4),
                AlertLevelBefore: reader.GetInt32(5),
                AlertLevelAfter: reader.GetInt32(6),
                Period: new UsagePeriod(NpgsqlValues.ReadInstant(reader, 7), NpgsqlValues.ReadInstant(reader, 8)),
                ExpiresAt: NpgsqlValues.ReadInstant(reader, 9))
            {
                BlocksBurned = reader.GetInt64(10),
            };
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.NumericValueOutOfRange)
        {
            throw new InvalidAmountException(request.ActualAmount, $"the counter of {request} would exceed {long.MaxValue} units. Nothing was changed.");
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.AfterSend(exception, request.ToString());
        }
    }

    private static ReservationState ParseState(string state) => state switch
    {
        "held" => ReservationState.Held,
        "committed" => ReservationState.Committed,
        "released" => ReservationState.Released,
        "expired" => ReservationState.Expired,
        _ => throw new InvalidOperationException($"quotakit.settle_hold_v8 answered the unknown state '{state}'."),
    };
}
