using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on a free loopback port in front of the test PostgreSQL server that injects the faults
/// <c>pg_terminate_backend</c> cannot time: it lets a statement reach the server and run to completion (commit included),
/// then swallows the server's whole reply and cuts the connection; it refuses new connections while told to; and it
/// silences open connections, as a network path that drops everything without a reset does.
/// </summary>
/// <remarks>
/// The server-to-client stream is read as PostgreSQL protocol messages (a type byte and a 4-byte length), so "the server
/// has processed the statement" is the ReadyForQuery message that ends its reply: the commit happened before it. Point a
/// tracker at <see cref="ConnectionString"/>; SSL is disabled there because the proxy must read the server's messages.
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private const byte ReadyForQuery = (byte)'Z';

    private readonly TcpListener _listener;
    private readonly IPEndPoint _server;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<ProxiedConnection, byte> _connections = new();
    private readonly Task _accepting;
    private byte[]? _loseReplyMarker;
    private TaskCompletionSource<bool> _replyLost = NewSignal();
    private volatile bool _refusing;
    private int _refused;

    private FaultProxy(string serverConnectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString);
        var host = builder.Host ?? "127.0.0.1";
        _server = new IPEndPoint(IPAddress.TryParse(host, out var address) ? address : Dns.GetHostAddresses(host)[0], builder.Port);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        builder.Host = "127.0.0.1";
        builder.Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        builder.SslMode = SslMode.Disable;
        ConnectionString = builder.ConnectionString;
        _accepting = AcceptAsync();
    }

    /// <summary>The server's connection string with host and port replaced by the proxy's.</summary>
    public string ConnectionString { get; }

    /// <summary>Client connections the proxy currently relays.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Connections closed on arrival while <see cref="RefuseNewConnections"/> was in force.</summary>
    public int RefusedConnections => Volatile.Read(ref _refused);

    /// <summary>Starts a proxy in front of the server that <paramref name="serverConnectionString"/> names (TCP host and port).</summary>
    public static FaultProxy Start(string serverConnectionString) => new(serverConnectionString);

    /// <summary>
    /// Arms the lost-reply fault: the next statement whose bytes contain <paramref name="marker"/> (e.g. a parameter value
    /// unique to one call) is forwarded to the server, but the server's reply to it is dropped up to and including its
    /// ReadyForQuery, and then the connection is cut. The returned task completes when that happened.
    /// </summary>
    public Task LoseReplyToNextStatementContaining(string marker)
    {
        _replyLost = NewSignal();
        Volatile.Write(ref _loseReplyMarker, Encoding.UTF8.GetBytes(marker));
        return _replyLost.Task;
    }

    /// <summary>From now on, new connections are accepted and closed at once (the client sees the stream end).</summary>
    public void RefuseNewConnections() => _refusing = true;

    /// <summary>New connections are relayed again.</summary>
    public void AcceptNewConnections() => _refusing = false;

    /// <summary>
    /// From now on, the connections relayed now forward nothing in either direction, yet stay open: neither side sees an
    /// error until it gives up waiting. Connections opened later are relayed as usual.
    /// </summary>
    public void SilenceOpenConnections()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.Silenced = true;
        }
    }

    /// <summary>Cuts every relayed connection now.</summary>
    public void CutAllConnections()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.Cut();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        CutAllConnections();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            if (_refusing)
            {
                Interlocked.Increment(ref _refused);
                client.Client.LingerState = new LingerOption(true, 0); // a reset, not a polite close
                client.Dispose();
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient { NoDelay = true };
        client.NoDelay = true;
        var connection = new ProxiedConnection(client, server);
        _connections[connection] = 0;
        try
        {
            await server.ConnectAsync(_server, _stopping.Token);
            var toServer = PumpToServerAsync(connection);
            var toClient = PumpToClientAsync(connection);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A cut or closed connection ends its relay.
        }
        finally
        {
            connection.Cut();
            _connections.TryRemove(connection, out _);
        }
    }

    private async Task PumpToServerAsync(ProxiedConnection connection)
    {
        var buffer = new byte[64 * 1024];
        var client = connection.Client.GetStream();
        var server = connection.Server.GetStream();
        int read;
        while ((read = await client.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            if (connection.Silenced)
            {
                continue;
            }

            var marker = Volatile.Read(ref _loseReplyMarker);
            if (marker is not null && buffer.AsSpan(0, read).IndexOf(marker) >= 0
                && Interlocked.CompareExchange(ref _loseReplyMarker, null, marker) == marker)
            {
                // Armed before the bytes leave: the server's whole reply to them is dropped.
                connection.SwallowingReply = true;
            }

            await server.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
        }
    }

    private async Task PumpToClientAsync(ProxiedConnection connection)
    {
        var buffer = new byte[64 * 1024];
        var server = connection.Server.GetStream();
        var client = connection.Client.GetStream();
        var frames = new MessageFrames();
        int read;
        while ((read = await server.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            if (connection.Silenced)
            {
                continue;
            }

            if (!connection.SwallowingReply)
            {
                await client.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
                continue;
            }

            // The reply started at a message boundary: the client sent the statement only after the previous reply ended.
            if (frames.EndsWith(buffer.AsSpan(0, read), ReadyForQuery))
            {
                // Signalled before the cut, so whoever sees the client fail also sees that the reply was lost.
                _replyLost.TrySetResult(true);
                connection.Cut();
                return;
            }
        }
    }

    /// <summary>Follows message boundaries in a server-to-client byte stream (type byte, then a length that counts itself).</summary>
    private sealed class MessageFrames
    {
        private readonly byte[] _header = new byte[5];
        private int _headerFilled;
        private long _bodyLeft;

        /// <summary>Consumes <paramref name="bytes"/>; true once a message of type <paramref name="type"/> was read completely.</summary>
        public bool EndsWith(ReadOnlySpan<byte> bytes, byte type)
        {
            var seen = false;
            while (!bytes.IsEmpty)
            {
                if (_headerFilled < 5)
                {
                    var take = Math.Min(5 - _headerFilled, bytes.Length);
                    bytes[..take].CopyTo(_header.AsSpan(_headerFilled));
                    bytes = bytes[take..];
                    _headerFilled += take;
                    if (_headerFilled < 5)
                    {
                        break;
                    }

                    _bodyLeft = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1)) - 4;
                }

                var skip = (int)Math.Min(_bodyLeft, bytes.Length);
                bytes = bytes[skip..];
                _bodyLeft -= skip;
                if (_bodyLeft == 0)
                {
                    seen |= _header[0] == type;
                    _headerFilled = 0;
                }
            }

            return seen;
        }
    }

    private sealed class ProxiedConnection
    {
        private int _cut;
        private bool _swallowingReply;
        private bool _silenced;

        public ProxiedConnection(TcpClient client, TcpClient server)
        {
            Client = client;
            Server = server;
        }

        public TcpClient Client { get; }

        public TcpClient Server { get; }

        /// <summary>Set when the statement whose reply must be lost was forwarded; read by the server-to-client pump.</summary>
        public bool SwallowingReply
        {
            get => Volatile.Read(ref _swallowingReply);
            set => Volatile.Write(ref _swallowingReply, value);
        }

        /// <summary>Set to drop everything either side sends from now on, without closing.</summary>
        public bool Silenced
        {
            get => Volatile.Read(ref _silenced);
            set => Volatile.Write(ref _silenced, value);
        }

        public void Cut()
        {
            if (Interlocked.Exchange(ref _cut, 1) == 1)
            {
                return;
            }

            Client.Client.LingerState = new LingerOption(true, 0);
            Client.Dispose();
            Server.Dispose();
        }
    }
}
