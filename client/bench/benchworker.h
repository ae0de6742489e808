// One bench thread: a raw edge-triggered epoll loop over non-blocking
// sockets that dials its share of connections with bounded concurrency and
// then drives them (rr, hold or churn) without ever blocking.
#pragma once

#include "bytebuffer.h"
#include "clientcommandline.h"
#include "framedecoder.h"
#include "latencyhistogram.h"

#include <atomic>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>

namespace Vigil {

// What the coordinating thread and the workers share. Phases are driven by
// the coordinator through startNs; workers report through relaxed atomics.
struct BenchShared
{
    sockaddr_storage target{};
    socklen_t targetLength = 0;
    // rr and hold: set once every worker has dialled; traffic starts then.
    std::atomic<qint64> startNs{0};
    std::atomic<bool> abort{false};
};

// A worker's totals, read by the coordinator after join().
struct BenchWorkerResult
{
    LatencyHistogram rtt;
    LatencyHistogram connect;
    quint64 messages = 0;      // responses counted (rr: inside the window)
    quint64 sent = 0;
    int connected = 0;         // connections established
    int dialFailures = 0;      // connections that never came up
    std::map<QString, int> dialFailureReasons; // dialFailureReason() -> count, sums to dialFailures
    int stayedOpen = 0;        // open when the run ended
    int closedByServer = 0;    // closed by the peer while we still wanted it
    quint64 errors = 0;        // everything that should not happen
    QString firstError;
    std::vector<int> byeReasons = std::vector<int>(256, 0); // BYE code -> count
};

class BenchWorker final : private MessageSink
{
public:
    // Connections firstIndex .. firstIndex+count-1 of the run belong to
    // this worker (the index picks the source address).
    BenchWorker(const BenchOptions &options, BenchShared &shared, int firstIndex, int count, double rate);
    ~BenchWorker() override;
    BenchWorker(const BenchWorker &) = delete;
    BenchWorker &operator=(const BenchWorker &) = delete;

    void run();

    // Live progress, safe to read from any thread.
    int connectedNow() const { return m_progressConnected.load(std::memory_order_relaxed); }
    quint64 responsesNow() const { return m_progressResponses.load(std::memory_order_relaxed); }
    quint64 errorsNow() const { return m_progressErrors.load(std::memory_order_relaxed); }
    bool dialDone() const { return m_dialDone.load(std::memory_order_acquire); }
    bool finished() const { return m_finished.load(std::memory_order_acquire); }

    BenchWorkerResult &result() { return m_result; }

private:
    enum class State : quint8 { Pending, Connecting, Open, Closed };
    struct Conn
    {
        FrameDecoder decoder;
        ByteBuffer out;        // bytes the socket did not take yet
        qint64 connectStartNs = 0;
        qint64 lastSendNs = 0;
        quint64 rawBytes = 0;  // raw framing: bytes of the current response
        int fd = -1;
        int index = 0;         // run-wide index (source address)
        int head = 0;          // oldest in-flight send time in the ring
        int inflight = 0;
        int owed = 0;          // rr with --rate: requests waiting for credit
        State state = State::Pending;
        quint8 attempts = 0;
        bool writeArmed = false;
        bool starved = false;
    };

    // Connecting
    void dialMore(qint64 now);
    bool startConnect(int local, qint64 now);
    void handleConnectDone(int local, qint64 now);
    void failConnect(int local, int error, qint64 now);
    void sweepConnectTimeouts(qint64 now);

    // Traffic
    void handleEvent(int local, quint32 events, qint64 now);
    void handleReadable(int local, bool peerClosed);
    bool onMessage(const DecodedMessage &message) override;
    void completeResponses(int local, int got, qint64 now);
    void sendRequests(int local, int count, qint64 now);
    void sendHeartbeat(int local, qint64 now);
    bool writeBytes(int local, const char *data, size_t size);
    void flushOut(int local);
    void refillCredit(qint64 now);
    void serveStarved(qint64 now);
    void startTraffic(qint64 now);
    void kickConnections(qint64 now);

    void closeConn(int local, bool byPeer, const QString &why);
    void countError(const QString &why);
    void countDialFailure(const QString &reason, const QString &why);
    bool phaseStep(qint64 now);
    void publish();

    const BenchOptions m_options;
    BenchShared &m_shared;
    const int m_firstIndex;
    const double m_rate; // this worker's share of --rate
    int m_epoll = -1;
    int m_ring = 1;      // send times kept per connection
    qint64 m_busyPollNs = 0;
    std::vector<Conn> m_conns;
    std::vector<qint64> m_sendTimes; // m_ring per connection
    std::string m_request;           // one framed request
    std::string m_requests;          // m_ring requests back to back
    std::string m_heartbeat;         // hold: PING (vigil) or one request
    std::vector<char> m_scratch;
    std::deque<int> m_dialQueue;
    std::deque<std::pair<qint64, int>> m_heartbeats; // due time, conn (due times only grow)
    std::deque<int> m_starved;
    std::vector<int> m_connecting; // locals in State::Connecting
    std::vector<int> m_freeSlots;  // churn: slots ready for the next connection
    int m_connectingCount = 0;
    int m_churnTotal = 0;
    qint64 m_inflightTotal = 0;

    // Decoding state for onMessage().
    Conn *m_current = nullptr;
    int m_currentLocal = -1;
    int m_got = 0;
    bool m_bad = false;
    int m_byeCode = -1;

    // Phases
    qint64 m_dialStartNs = 0;
    qint64 m_windowStartNs = 0;
    qint64 m_windowEndNs = 0;
    qint64 m_lastSweepNs = 0;
    qint64 m_lastCreditNs = 0;
    double m_credit = 0;
    int m_churnStarted = 0;
    int m_kickCursor = 0; // rr: next connection to get its first requests
    int m_open = 0;
    bool m_trafficStarted = false;
    bool m_stopping = false;

    BenchWorkerResult m_result;
    quint64 m_responses = 0;
    std::atomic<int> m_progressConnected{0};
    std::atomic<quint64> m_progressResponses{0};
    std::atomic<quint64> m_progressErrors{0};
    std::atomic<bool> m_dialDone{false};
    std::atomic<bool> m_finished{false};
};

} // namespace Vigil
