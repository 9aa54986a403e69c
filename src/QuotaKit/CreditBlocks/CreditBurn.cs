namespace QuotaKit;

/// <summary>Units one period burned from one credit block ("what was burned from where"), as history shows them.</summary>
/// <param name="BlockId">The block's <see cref="CreditBlock.Id"/>.</param>
/// <param name="Units">The units the period burned from it, net of what refunds gave back.</param>
public sealed record CreditBurn(Guid BlockId, long Units);
