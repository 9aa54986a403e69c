using Npgsql;
using NpgsqlTypes;

namespace QuotaKit.PostgreSql;

/// <summary>Credit blocks (schema version 8): <c>quotakit.credit_blocks</c>, spent by the write functions themselves.</summary>
internal sealed partial class PostgreSqlUsageStore
{
    private const string AddCreditBlockSql =
        """
        INSERT INTO quotakit.credit_blocks (subject_id, id, feature_key, amount, burned, priority, valid_from, valid_until,
            reason, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        """;

    // Every block of the subject in burn order (credit_blocks.v8.sql): ASC puts blocks that never end last.
    private const string ReadCreditBlocksSql =
        """
        SELECT id, feature_key, amount, burned, priority, valid_from, valid_until, created_at, reason, source
        FROM quotakit.credit_blocks
        WHERE subject_id = $1
        ORDER BY priority, valid_until, created_at, id
        """;

    /// <summary>True: blocks are stored in <c>quotakit.credit_blocks</c> and every write function burns and gives them
    /// back under the counter's lock (schema version 8).</summary>
    public override bool SupportsCreditBlocks => true;

    /// <summary>One INSERT into <c>quotakit.credit_blocks</c>.</summary>
    public override async Task AddCreditBlockAsync(string subjectId, CreditBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        await using var command = _dataSource.CreateCommand(AddCreditBlockSql);
        var p = command.Parameters;
        p.Add(NpgsqlValues.Text(subjectId));
        p.Add(new NpgsqlParameter<Guid> { TypedValue = block.Id, NpgsqlDbType = NpgsqlDbType.Uuid });
        p.Add(NpgsqlValues.Text(block.FeatureKey));
        p.Add(new NpgsqlParameter<long> { TypedValue = block.Amount, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter<long> { TypedValue = block.Burned, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter<int> { TypedValue = block.Priority, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(NpgsqlValues.Timestamp(block.ValidFrom));
        p.Add(NpgsqlValues.NullableTimestamp(block.ValidUntil));
        p.Add(NpgsqlValues.NullableText(block.Reason));
        p.Add(NpgsqlValues.Timestamp(block.CreatedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw StoreFailure.AfterSend(exception, $"the credit block of '{block.FeatureKey}' for subject '{subjectId}'");
        }
    }

    /// <summary>Every block of the subject, in burn order, read from the primary (a block just added is seen).</summary>
    public override Task<IReadOnlyList<CreditBlock>> ReadCreditBlocksAsync(string subjectId, CancellationToken cancellationToken) =>
        ReadingAsync<IReadOnlyList<CreditBlock>>($"a credit-block read for subject '{subjectId}'", fromReplica: false, async source =>
        {
            await using var command = source.CreateCommand(ReadCreditBlocksSql);
            command.Parameters.Add(NpgsqlValues.Text(subjectId));
            var blocks = new List<CreditBlock>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                blocks.Add(new CreditBlock(
                    Id: reader.GetGuid(0),
                    FeatureKey: reader.GetString(1),
                    Amount: reader.GetInt64(2),
                    Burned: reader.GetInt64(3),
                    Priority: reader.GetInt32(4),
                    ValidFrom: NpgsqlValues.ReadInstant(reader, 5),
                    ValidUntil: reader.IsDBNull(6) ? null : NpgsqlValues.ReadInstant(reader, 6),
                    CreatedAt: NpgsqlValues.ReadInstant(reader, 7),
                    Reason: reader.IsDBNull(8) ? null : reader.GetString(8))
                {
                    Source = reader.GetString(9) == "rollover" ? CreditBlockSource.Rollover : CreditBlockSource.Grant,
                });
            }

            return blocks;
        });

    /// <summary>The burns of a history row: two arrays (block ids, units) in burn order, or NULL when it burned nothing.</summary>
    private static CreditBurn[] ReadBurns(NpgsqlDataReader reader, int first)
    {
        if (reader.IsDBNull(first))
        {
            return [];
        }

        var ids = reader.GetFieldValue<Guid[]>(first);
        var units = reader.GetFieldValue<long[]>(first + 1);
        var burns = new CreditBurn[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            burns[i] = new CreditBurn(ids[i], units[i]);
        }

        return burns;
    }
}
