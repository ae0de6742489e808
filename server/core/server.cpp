// Server facade: wiring of config, accept thread and network threads.
#include "server.h"

#include "acceptor.h"
#include "logsink.h"
#include "monotonicclock.h"
#include "networkthread.h"
#include "tlscontext.h"

#include <csignal>
#include <malloc.h>
#include <utility>
#include <sys/resource.h>

namespace Vigil {

namespace {
// PROTOCOL.md §7: honour the inherited hard limit on open files.
void raiseOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// Every thread needs descriptors for its wake-ups before it can serve
// anyone; at a limit too low for those, Qt and GLib abort outright. Say so
// in one line instead, before starting anything.
QString checkOpenFileLimit(const ServerConfig &config)
{
    raiseOpenFileLimit();
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return QString();
    const rlim_t needed = 16 + 2 * rlim_t(config.effectiveThreads()) + rlim_t(config.listen.size());
    if (limit.rlim_cur >= needed)
        return QString();
    return QStringLiteral("the open-file limit (%1) is too low: %2 descriptors are needed before any client")
        .arg(qulonglong(limit.rlim_cur))
        .arg(qulonglong(needed));
}

// A partial frame of 1 MiB is one malloc of 1 MiB; once freed, glibc raises
// its mmap threshold to that size and serves the next ones from the heap,
// which it rarely gives back: RSS then stays at its peak after the peers
// leave. A fixed threshold keeps every large buffer an mmap of its own,
// returned to the system on free (docs/security.md, memory bounds).
void keepLargeBuffersReturnable()
{
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}
} // namespace

Server::Server(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<Vigil::ServerBatch>();
    qRegisterMetaType<Vigil::ServerStats>();
    m_acceptThread.setObjectName(QStringLiteral("vigil-accept"));
}

Server::~Server()
{
    stopAndWait();
}

bool Server::start(const ServerConfig &config)
{
    if (m_running) {
        m_error = QStringLiteral("the server is already running");
        return false;
    }
    m_error = config.validate();
    if (!m_error.isEmpty())
        return false;
    // PROTOCOL.md §9: a tls listener's certificate and key, loaded before
    // anything binds (unless the caller loaded them).
    std::shared_ptr<const TlsContext> tls = config.tlsContext;
    if (config.hasTlsListener() && !tls) {
        tls = TlsContext::load(config.tlsCert, config.tlsKey, &m_error);
        if (!tls)
            return false;
    }
    m_error = checkOpenFileLimit(config);
    if (!m_error.isEmpty())
        return false;
    // A peer that vanishes mid-write must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    {
        auto first = std::make_shared<ServerConfig>(config);
        first->tlsContext = tls;
        m_config = first;
    }
    m_admission.configure(config.maxConnections, config.maxPerIp);
    m_admission.setTrustedProxies(config.proxyFrom);
    m_admission.memory().setLimit(config.effectiveMaxMemory());
    keepLargeBuffersReturnable();
    if (m_handler)
        m_handler->attached(*this);
    std::vector<NetworkThread *> raw;
    const int count = config.effectiveThreads();
    for (int i = 0; i < count; ++i) {
        // Batches wait in our own mutex-guarded queue, drained by one queued
        // call however many threads published: the hand-over is then one a
        // race detector can see, and a busy tick costs one wake-up.
        auto publisher = [this](ServerBatch &&batch) {
            bool post = false;
            {
                std::lock_guard<std::mutex> lock(m_batchMutex);
                m_pendingBatches.push_back(std::move(batch));
                post = !m_drainPosted;
                m_drainPosted = true;
            }
            if (post)
                QMetaObject::invokeMethod(this, &Server::deliverBatches, Qt::QueuedConnection);
        };
        NetworkThread *thread = nullptr;
        {
            std::lock_guard lock(m_threadsMutex);
            m_threads.push_back(std::make_unique<NetworkThread>(i, m_config, m_admission, publisher, m_handler));
            thread = m_threads.back().get();
        }
        if (!thread->errorString().isEmpty()) {
            // Out of descriptors before serving anything: start nothing.
            m_error = thread->errorString();
            m_stopping = true;
            m_running = true;
            m_threadsRunning = int(raw.size());
            for (NetworkThread *started : raw)
                started->requestStop();
            teardown(false);
            return false;
        }
        connect(thread, &QThread::finished, this, &Server::handleThreadFinished);
        if (m_publishIntervalMs > 0)
            thread->setPublishInterval(m_publishIntervalMs, true);
        thread->start();
        raw.push_back(thread);
    }
    m_threadsRunning = count;
    m_merger.reset(count);
    m_running = true;
    m_stopping = false;

    // Bind here, before the accept thread exists: the "listening on" lines
    // are printed before anything can be accepted, and everything the
    // acceptor holds is handed over by the thread's start.
    m_acceptor = new Acceptor(raw, m_admission, m_config);
    const QString error = m_acceptor->bindAll();
    if (!error.isEmpty()) {
        // Nothing was served: shut the threads down without a stopped().
        delete m_acceptor;
        m_acceptor = nullptr;
        m_stopping = true;
        for (auto &thread : m_threads)
            thread->requestStop();
        teardown(false);
        m_error = error;
        return false;
    }
    connect(m_acceptor, &Acceptor::acceptPaused, this, &Server::acceptPaused);
    connect(m_acceptor, &Acceptor::acceptResumed, this, &Server::acceptResumed);
    // Read before the accept thread owns it: from here on this thread
    // touches the acceptor only through queued calls.
    m_bound = m_acceptor->boundAddresses();
    m_acceptor->moveToThread(&m_acceptThread);
    m_acceptThread.start();
    emit started();
    return true;
}

void Server::deliverBatches()
{
    std::vector<ServerBatch> batches;
    {
        std::lock_guard<std::mutex> lock(m_batchMutex);
        batches.swap(m_pendingBatches);
        m_drainPosted = false;
    }
    for (ServerBatch &batch : batches) {
        m_merger.add(batch);
        if (batch.full || !batch.updated.isEmpty() || !batch.closed.isEmpty())
            emit batchPublished(batch);
    }
    // Once the threads are gone (or stopped publishing) nothing can overtake
    // what is held: out with all of it.
    const bool settled = !m_running || m_publishIntervalMs == 0;
    emitMergedEvents(settled ? m_merger.releaseAll() : m_merger.release(MonotonicClock::nowMs()));
}

void Server::emitMergedEvents(QVector<ServerEvent> &&events)
{
    const quint64 dropped = m_merger.takeDropped();
    if (events.isEmpty() && !dropped)
        return;
    ServerBatch merged;
    merged.thread = -1;
    merged.atMs = MonotonicClock::nowMs();
    merged.events = std::move(events);
    merged.eventsDropped = dropped;
    emit batchPublished(merged);
}

void Server::stop()
{
    if (!m_running || m_stopping)
        return;
    m_stopping = true;
    // No new connections first, then BYE to the open ones.
    closeAcceptor();
    for (auto &thread : m_threads)
        thread->requestStop();
}

bool Server::drain(qint64 ms)
{
    if (!m_running || m_stopping || m_draining)
        return false;
    if (ms <= 0) {
        stop();
        return true;
    }
    m_draining = true;
    m_drainDeadlineMs = MonotonicClock::nowMs() + ms;
    closeAcceptor();
    for (auto &thread : m_threads)
        thread->drain(ms);
    return true;
}

// The acceptor is closed and freed on its own thread; this one never
// touches it again. A drain closes it first; a stop after it finds none.
void Server::closeAcceptor()
{
    Acceptor *acceptor = std::exchange(m_acceptor, nullptr);
    if (!acceptor)
        return;
    QMetaObject::invokeMethod(
        acceptor,
        [acceptor]() {
            acceptor->closeAll();
            acceptor->deleteLater();
        },
        Qt::BlockingQueuedConnection);
}

void Server::stopAndWait()
{
    if (!m_running)
        return;
    stop();
    for (auto &thread : m_threads)
        thread->wait();
    teardown(true);
}

void Server::handleThreadFinished()
{
    if (!m_running || --m_threadsRunning > 0)
        return;
    teardown(true);
}

void Server::teardown(bool announce)
{
    if (!m_running)
        return;
    m_acceptThread.quit();
    m_acceptThread.wait();
    for (auto &thread : m_threads)
        thread->wait();
    ServerStats last;
    for (auto &thread : m_threads)
        thread->counters().addTo(last);
    m_lastStats = last;
    std::vector<std::unique_ptr<NetworkThread>> finished;
    {
        std::lock_guard lock(m_threadsMutex);
        finished.swap(m_threads);
    }
    finished.clear();
    m_running = false;
    m_stopping = false;
    m_draining = false;
    m_drainDeadlineMs = 0;
    m_threadsRunning = 0;
    // The threads' last batches, and every event still held, before stopped().
    if (announce)
        deliverBatches();
    if (announce)
        emit stopped();
}

ServerStats Server::stats() const
{
    ServerStats s;
    if (m_threads.empty())
        s = m_lastStats;
    for (const auto &thread : m_threads)
        thread->counters().addTo(s);
    if (m_config && m_config->logToStdout)
        s.logLinesDropped = LogSink::forFd(1).droppedLines();
    s.reloads = m_reloads;
    s.reloadFailures = m_reloadFailures;
    s.bufferedBytes = std::max<qint64>(0, m_admission.memory().used());
    s.memoryLimit = m_admission.memory().limit();
    s.draining = m_draining;
    s.drainDeadlineMs = m_drainDeadlineMs;
    s.sampledAtMs = MonotonicClock::nowMs();
    return s;
}

int Server::addSubscriber(int intervalMs)
{
    const int id = m_nextSubscriber++;
    m_subscribers.emplace(id, std::max(intervalMs, 0));
    // A newcomer starts with an empty table: give it every connection.
    updatePublishInterval(intervalMs > 0);
    return id;
}

void Server::setSubscriberInterval(int id, int intervalMs)
{
    auto it = m_subscribers.find(id);
    if (it == m_subscribers.end())
        return;
    const bool resumed = it->second == 0 && intervalMs > 0;
    it->second = std::max(intervalMs, 0);
    updatePublishInterval(resumed);
}

void Server::removeSubscriber(int id)
{
    m_subscribers.erase(id);
    updatePublishInterval(false);
}

void Server::updatePublishInterval(bool fullSnapshot)
{
    int fastest = 0;
    for (const auto &entry : m_subscribers) {
        if (entry.second > 0 && (fastest == 0 || entry.second < fastest))
            fastest = entry.second;
    }
    const int interval = fastest <= 0 ? 0 : std::max(fastest, MinPublishIntervalMs);
    if (interval == m_publishIntervalMs) {
        if (fullSnapshot)
            requestFullSnapshot();
        return;
    }
    m_publishIntervalMs = interval;
    for (auto &thread : m_threads)
        thread->setPublishInterval(m_publishIntervalMs, true);
    if (interval == 0)
        deliverBatches(); // nobody listens any more: release what is held
}

void Server::requestFullSnapshot()
{
    for (auto &thread : m_threads)
        thread->setPublishInterval(m_publishIntervalMs, true);
}

void Server::applyConfig(const ServerConfig &config, bool applyToOpen)
{
    if (!m_running) {
        m_config = std::make_shared<const ServerConfig>(config);
        return;
    }
    // Listeners, framing and threads are fixed while running; the rest applies.
    auto next = std::make_shared<ServerConfig>(config);
    next->listen = m_config->listen;
    next->framing = m_config->framing;
    next->threads = m_config->threads;
    next->logFormat = m_config->logFormat;
    next->logToStdout = m_config->logToStdout;
    next->instanceName = m_config->instanceName;
    if (!next->tlsContext) // only a reload loads a new pair
        next->tlsContext = m_config->tlsContext;
    m_config = next;
    m_admission.configure(next->maxConnections, next->maxPerIp);
    m_admission.setTrustedProxies(next->proxyFrom);
    m_admission.memory().setLimit(next->effectiveMaxMemory());
    for (auto &thread : m_threads)
        thread->applyConfig(m_config, applyToOpen);
}

const QStringList &Server::reloadFixedKeys()
{
    static const QStringList keys{QStringLiteral("framing"),   QStringLiteral("threads"),
                                  QStringLiteral("log-format"), QStringLiteral("admin"),
                                  QStringLiteral("admin-token-file"), QStringLiteral("admin-previews"),
                                  QStringLiteral("instance-name")};
    return keys;
}

ReloadResult Server::reload(const ServerConfig &config)
{
    ReloadResult result;
    if (m_draining) {
        result.error = QStringLiteral("the server is draining");
        return result;
    }
    if (!m_running || m_stopping || !m_acceptor) {
        result.error = QStringLiteral("the server is not running");
        return result;
    }
    result.error = config.validate();
    if (!result.error.isEmpty())
        return result;
    const ServerConfig running = *m_config;
    ServerConfig next = config;
    next.framing = running.framing;
    next.threads = running.threads;
    next.logFormat = running.logFormat;
    next.logToStdout = running.logToStdout;
    next.admin = running.admin;
    next.adminTokenFile = running.adminTokenFile;
    next.adminPreviews = running.adminPreviews;
    next.instanceName = running.instanceName;
    // PROTOCOL.md §9: certificate rotation. The pair is read again before
    // anything changes; one that fails to load keeps the old one, and the
    // whole reload fails (reload-failed names the file).
    if (next.hasTlsListener()) {
        next.tlsContext = TlsContext::load(next.tlsCert, next.tlsKey, &result.error);
        if (!next.tlsContext)
            return result;
    }
    const QStringList differ = changedKeys(running, config);
    for (const QString &key : differ)
        (reloadFixedKeys().contains(key) ? result.restartRequired : result.changed) << key;
    if (result.changed.contains(QLatin1String("listen")) && !updateListeners(next.listen, &result.error)) {
        result.changed.clear();
        result.restartRequired.clear();
        return result;
    }
    applyConfig(next, true);
    return result;
}

ReloadResult Server::reloadTls()
{
    ReloadResult result;
    if (!m_running || m_stopping || m_draining || !m_config->hasTlsListener())
        return result;
    std::shared_ptr<const TlsContext> tls = TlsContext::load(m_config->tlsCert, m_config->tlsKey, &result.error);
    if (!tls)
        return result;
    ServerConfig next = *m_config;
    next.tlsContext = std::move(tls);
    applyConfig(next, false);
    return result;
}

bool Server::updateListeners(const QList<ListenAddress> &listen, QString *error)
{
    Acceptor *acceptor = m_acceptor;
    // The acceptor's listeners live on its thread: binding happens there,
    // and this thread waits, so the reload's outcome is known on return.
    // What crosses lives in members under m_reloadMutex, taken on both
    // sides: the blocking call synchronises inside libQt6Core, which a race
    // detector cannot see, and the mutex existed before the accept thread.
    {
        std::lock_guard<std::mutex> lock(m_reloadMutex);
        m_reloadWanted = listen;
        m_reloadBound.clear();
        m_reloadFailure.clear();
    }
    QMetaObject::invokeMethod(
        acceptor,
        [this, acceptor]() {
            std::lock_guard<std::mutex> lock(m_reloadMutex);
            m_reloadFailure = acceptor->updateListeners(m_reloadWanted, &m_reloadBound);
        },
        Qt::BlockingQueuedConnection);
    QString failure;
    QList<ListenAddress> bound;
    {
        std::lock_guard<std::mutex> lock(m_reloadMutex);
        failure = std::exchange(m_reloadFailure, QString());
        bound = std::exchange(m_reloadBound, {});
        m_reloadWanted.clear();
    }
    if (!failure.isEmpty()) {
        *error = failure;
        return false;
    }
    auto next = std::make_shared<ServerConfig>(*m_config);
    next->listen = listen;
    m_config = next;
    m_bound = bound;
    return true;
}

void Server::closeConnection(quint64 id)
{
    kick(id, CloseReason::Kicked);
}

void Server::setHandler(std::shared_ptr<MessageHandler> handler)
{
    Q_ASSERT_X(!m_running, "Server::setHandler", "the handler is chosen before start()");
    m_handler = std::move(handler);
}

// Connection ids are dealt round-robin, so an id names its thread. The
// command is posted under the lock, so teardown cannot free the thread
// in between.
template<typename Post>
void Server::postTo(quint64 id, Post &&post) const
{
    std::lock_guard lock(m_threadsMutex);
    if (!m_threads.empty() && id != 0)
        post(*m_threads[id % m_threads.size()]);
}

void Server::kick(quint64 id, CloseReason reason)
{
    postTo(id, [&](NetworkThread &thread) { thread.kick(id, reason); });
}

void Server::send(quint64 id, const QByteArray &payload)
{
    postTo(id, [&](NetworkThread &thread) { thread.send(id, payload); });
}

void Server::broadcast(const QByteArray &payload, quint64 except)
{
    std::lock_guard lock(m_threadsMutex);
    for (const auto &thread : m_threads)
        thread->broadcast(payload, except);
}

FeedSubscription::FeedSubscription(Server *server, int intervalMs)
    : m_server(server)
    , m_intervalMs(std::max(intervalMs, 0))
{
    if (m_server)
        m_id = m_server->addSubscriber(m_intervalMs);
}

FeedSubscription::~FeedSubscription()
{
    if (m_server)
        m_server->removeSubscriber(m_id);
}

void FeedSubscription::setInterval(int intervalMs)
{
    m_intervalMs = std::max(intervalMs, 0);
    if (m_server)
        m_server->setSubscriberInterval(m_id, m_intervalMs);
}

} // namespace Vigil
