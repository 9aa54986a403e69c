namespace QuotaKit.Samples.WebApi;

/// <summary>The body of <c>POST /exports</c>.</summary>
public sealed record ExportRequest(long Pages);
