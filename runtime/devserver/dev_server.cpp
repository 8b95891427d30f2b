// DevServer: listening sockets, one thread per client, the periodic tasks
// (scheduled/retry enqueueing, reservation expiry, worker reaping) and the
// HTTP control port.
#include "devserver/dev_server.hpp"

#include <condition_variable>
#include <list>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "devserver/client_session.hpp"
#include "devserver/control_http.hpp"
#include "devserver/server_state.hpp"
#include "devserver/state_file.hpp"
#include "protocol/connection.hpp"
#include "protocol/tls/ssl_init.hpp"

namespace faktory_host::devserver {

namespace {

constexpr auto accept_poll = std::chrono::milliseconds(100);
constexpr auto tick_interval = std::chrono::seconds(1);
constexpr std::size_t max_sessions = 4096;

std::int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Poco::Net::SocketAddress address_of(const std::string& text, const char* what) {
    try {
        return Poco::Net::SocketAddress(text);
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument(std::string("dev server: invalid ") + what + " address \"" + text +
                                    "\" (want host:port): " + e.displayText());
    }
}

// Poco's ServerSocket(address) sets SO_REUSEPORT, so a second server on a busy
// port would start silently and split the clients; bind without it.
void listen_exclusively(Poco::Net::ServerSocket& socket, const Poco::Net::SocketAddress& address, int backlog) {
    socket.bind(address, /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(backlog);
}

} // namespace

struct DevServer::Impl {
    explicit Impl(DevServerOptions o) : options(std::move(o)) { state.password = options.password; }

    struct Running {
        std::shared_ptr<ClientSession> session;
        std::thread thread;
    };

    DevServerOptions options;
    ServerState state;
    bool tls = false;
    Poco::Net::Context::Ptr tls_context;
    std::unique_ptr<Poco::Net::ServerSocket> listener;
    std::uint16_t port = 0;
    std::unique_ptr<Poco::Net::HTTPServer> http;
    std::uint16_t http_port = 0;
    std::atomic<bool> accepting{false};
    std::thread accept_thread;
    // Serializes start, stop, begin_shutdown and restart (callable from any thread).
    std::mutex run_mutex;
    // Control-port requests running now: stop() waits for them, since they reach into this object.
    std::atomic<int> control_calls{0};
    std::atomic<bool> control_closed{false};
    std::thread tick_thread;
    std::mutex sessions_mutex;
    std::list<Running> sessions;
    std::mutex lifecycle_mutex;
    std::condition_variable tick_wake;
    bool started = false;
    bool stop_requested = false;

    void accept_loop() {
        while (accepting.load()) {
            join_finished_sessions();
            try {
                if (!listener->poll(Poco::Timespan(accept_poll.count() * 1000), Poco::Net::Socket::SELECT_READ))
                    continue;
                Poco::Net::SocketAddress peer;
                Poco::Net::StreamSocket socket = listener->acceptConnection(peer);
                if (!accepting.load()) break;
                if (steady_ms() < state.faults.refuse_until_ms.load()) {
                    socket.impl()->close();  // refuse: the client sees the connection end before HI
                    continue;
                }
                std::lock_guard lock(sessions_mutex);
                if (sessions.size() >= max_sessions) {
                    socket.impl()->close();
                    continue;
                }
                auto session = std::make_shared<ClientSession>(state, socket, tls);
                sessions.push_back({session, std::thread([session] { session->run(); })});
            } catch (const Poco::Exception&) {
                // A failed accept (peer reset in between) costs only that peer.
            } catch (const std::system_error&) {
                // Out of threads: this client is dropped, the server stays up.
            }
        }
    }

    void join_finished_sessions() {
        std::list<Running> done;
        {
            std::lock_guard lock(sessions_mutex);
            for (auto it = sessions.begin(); it != sessions.end();) {
                if (it->session->finished()) done.splice(done.end(), sessions, it++);
                else ++it;
            }
        }
        for (auto& running : done) running.thread.join();
    }

    void close_all_sessions() {
        std::lock_guard lock(sessions_mutex);
        for (auto& running : sessions) running.session->close_from_server();
    }

    // Runs one set scanner and records it the way INFO reports it.
    template <typename Scan>
    static void run_scanner(ScannerStats& stats, Scan&& scan) {
        const auto begin = std::chrono::steady_clock::now();
        stats.enqueued += static_cast<std::int64_t>(scan());
        stats.wall_time_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - begin)
                                  .count();
        ++stats.cycles;
    }

    void run_periodic_tasks() {
        run_scanner(state.tasks.scheduled, [this] { return state.jobs.enqueue_due_scheduled(); });
        run_scanner(state.tasks.retries, [this] { return state.jobs.enqueue_due_retries(); });
        run_scanner(state.tasks.dead, [this] { return state.jobs.drop_expired_dead(); });
        state.tasks.busy_reaped += static_cast<std::int64_t>(state.jobs.expire_reservations());
        state.tasks.workers_reaped += static_cast<std::int64_t>(state.workers.reap());
    }

    void tick_loop() {
        std::unique_lock lock(lifecycle_mutex);
        while (!stop_requested) {
            tick_wake.wait_for(lock, tick_interval, [this] { return stop_requested; });
            if (stop_requested) break;
            lock.unlock();
            run_periodic_tasks();
            lock.lock();
        }
    }

    std::string stats_json() {
        Poco::JSON::Object document;
        state.jobs.describe(document);
        document.set("workers", state.workers.describe());
        std::ostringstream out;
        Poco::JSON::Stringifier::condense(document, out);
        return out.str();
    }

    void open_listener(const Poco::Net::SocketAddress& work_address) {
        if (tls) listener = std::make_unique<Poco::Net::SecureServerSocket>(tls_context);
        else listener = std::make_unique<Poco::Net::ServerSocket>();
        listen_exclusively(*listener, work_address, 128);
    }

    void start_accepting() {
        accepting = true;
        accept_thread = std::thread([this] { accept_loop(); });
    }

    // New connections are refused from here on: the port is closed.
    void stop_accepting() {
        accepting = false;
        if (accept_thread.joinable()) accept_thread.join();
        if (!listener) return;
        try {
            listener->close();
        } catch (...) {
            // Closing a listener that already failed: nothing to release.
        }
    }

    void start() {
        const auto work_address = address_of(options.bind, "bind");
        const bool has_cert = !options.tls_cert_file.empty(), has_key = !options.tls_key_file.empty();
        if (has_cert != has_key)
            throw std::invalid_argument("dev server: TLS needs both a certificate and a key file");
        tls = has_cert;
        try {
            if (tls) {
                protocol::ensure_ssl_initialized();
                tls_context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, options.tls_key_file,
                                                     options.tls_cert_file, "", Poco::Net::Context::VERIFY_NONE);
            }
            open_listener(work_address);
        } catch (const Poco::Exception& e) {
            throw std::runtime_error("dev server: cannot listen on " + options.bind + ": " + e.displayText());
        }
        port = listener->address().port();

        if (!options.control.empty()) {
            const auto control_address = address_of(options.control, "control");
            try {
                Poco::Net::ServerSocket control_socket;
                listen_exclusively(control_socket, control_address, 64);
                http_port = control_socket.address().port();
                auto* params = new Poco::Net::HTTPServerParams;
                params->setMaxThreads(8);
                params->setKeepAlive(false);
                ControlActions actions{[this] {
                                           ControlCall call(*this);
                                           return stats_json();
                                       },
                                       [this](const std::string& wid) {
                                           ControlCall call(*this);
                                           return state.workers.signal(wid, LifecycleState::quiet);
                                       },
                                       [this](const std::string& wid) {
                                           ControlCall call(*this);
                                           return state.workers.signal(wid, LifecycleState::terminate);
                                       },
                                       [this](std::chrono::milliseconds down_for) {
                                           ControlCall call(*this);
                                           if (call.refused()) return false;
                                           return restart(down_for);
                                       }};
                http = std::make_unique<Poco::Net::HTTPServer>(make_control_handler_factory(std::move(actions)),
                                                               control_socket, params);
                http->start();
            } catch (const Poco::Exception& e) {
                listener->close();
                throw std::runtime_error("dev server: cannot listen on control address " + options.control + ": " +
                                         e.displayText());
            }
        }
        start_accepting();
        tick_thread = std::thread([this] { tick_loop(); });
        started = true;
    }

    // Counts a control-port request while it runs; refused once stop() began.
    class ControlCall {
    public:
        explicit ControlCall(Impl& impl) : impl_(impl) { ++impl_.control_calls; }
        ~ControlCall() { --impl_.control_calls; }
        bool refused() const { return impl_.control_closed.load(); }

    private:
        Impl& impl_;
    };

    void begin_shutdown_locked() {
        state.shutting_down = true;
        state.jobs.set_fetching_closed(true);
        stop_accepting();
        // Commands already past the shutdown check finish; nothing else will
        // change the jobs after this (bounded: a blocked FETCH returns at once).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (state.commands_in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    // Ends every connection: first gently (each answers what it is executing),
    // then, after a grace period, by force. Joins their threads.
    void end_all_sessions() {
        {
            std::lock_guard lock(sessions_mutex);
            for (auto& running : sessions) running.session->close_after_reply();
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        // The accept thread is stopped, so the list only shrinks.
        while (std::chrono::steady_clock::now() < deadline) {
            join_finished_sessions();
            {
                std::lock_guard lock(sessions_mutex);
                if (sessions.empty()) break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        close_all_sessions();
        state.jobs.wake_all_fetchers();
        std::list<Running> remaining;
        {
            std::lock_guard lock(sessions_mutex);
            remaining.swap(sessions);
        }
        for (auto& running : remaining) running.thread.join();
    }

    bool restart(std::chrono::milliseconds down_for) {
        std::lock_guard run(run_mutex);
        if (!started) return false;
        begin_shutdown_locked();
        end_all_sessions();  // workers go with their last connection, as in Faktory
        std::this_thread::sleep_for(down_for);
        // The same port again; a connection elsewhere may briefly hold it as
        // its local port, so retry for a bounded time.
        const Poco::Net::SocketAddress work_address(address_of(options.bind, "bind").host(), port);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (true) {
            try {
                open_listener(work_address);
                break;
            } catch (const Poco::Exception& e) {
                if (std::chrono::steady_clock::now() >= deadline)
                    throw std::runtime_error("dev server: cannot listen again on port " + std::to_string(port) +
                                             " after a restart: " + e.displayText());
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        state.jobs.set_fetching_closed(false);
        state.shutting_down = false;
        start_accepting();
        return true;
    }

    void stop() {
        control_closed = true;
        if (http) http->stopAll(true);
        // A control request may still be inside this object (a restart even
        // waits for run_mutex): let it finish before tearing down.
        while (control_calls.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::lock_guard run(run_mutex);
        if (!started) return;
        started = false;
        state.stopping = true;
        {
            std::lock_guard lock(lifecycle_mutex);
            stop_requested = true;
        }
        tick_wake.notify_all();
        stop_accepting();
        if (tick_thread.joinable()) tick_thread.join();
        http.reset();
        end_all_sessions();
    }
};

DevServer::DevServer(DevServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

DevServer::~DevServer() { stop(); }

void DevServer::start() {
    std::lock_guard run(impl_->run_mutex);
    if (impl_->started) return;
    impl_->control_closed = false;
    impl_->start();
}

void DevServer::begin_shutdown() {
    std::lock_guard run(impl_->run_mutex);
    if (!impl_->started) return;
    impl_->begin_shutdown_locked();
}

void DevServer::restart(std::chrono::milliseconds down_for) {
    if (!impl_->restart(down_for)) throw std::logic_error("dev server: restart() called on a server not started");
}

void DevServer::stop() { impl_->stop(); }

std::uint16_t DevServer::port() const { return impl_->port; }

std::uint16_t DevServer::control_port() const { return impl_->http_port; }

std::string DevServer::url() const {
    return std::string(impl_->tls ? "tcp+tls://" : "tcp://") + "127.0.0.1:" + std::to_string(impl_->port);
}

Poco::JSON::Object::Ptr DevServer::stats() const {
    Poco::JSON::Object::Ptr document = new Poco::JSON::Object;
    impl_->state.jobs.describe(*document);
    document->set("workers", impl_->state.workers.describe());
    return document;
}

std::string DevServer::stats_json() const { return impl_->stats_json(); }

bool DevServer::quiet(const std::string& wid) { return impl_->state.workers.signal(wid, LifecycleState::quiet); }

bool DevServer::terminate(const std::string& wid) {
    return impl_->state.workers.signal(wid, LifecycleState::terminate);
}

void DevServer::save_state(const std::string& path) const {
    SavedState saved;
    saved.jobs = impl_->state.jobs.snapshot();
    saved.clock_offset = impl_->state.clock.offset();
    write_state_file(path, saved);
}

void DevServer::load_state(const std::string& path) {
    SavedState saved = read_state_file(path);
    impl_->state.clock.set_offset(saved.clock_offset);
    impl_->state.jobs.restore(std::move(saved.jobs));
}

void DevServer::drop_all_connections() { impl_->close_all_sessions(); }

void DevServer::delay_replies(std::chrono::milliseconds delay) { impl_->state.faults.reply_delay_ms = delay.count(); }

void DevServer::refuse_connections_for(std::chrono::milliseconds span) {
    impl_->state.faults.refuse_until_ms = steady_ms() + span.count();
}

void DevServer::send_garbage_frame() { ++impl_->state.faults.garbage_generation; }

void DevServer::advance_time(std::chrono::seconds by) {
    impl_->state.clock.advance(by);
    impl_->run_periodic_tasks();
}

void DevServer::run_periodic_tasks() { impl_->run_periodic_tasks(); }

} // namespace faktory_host::devserver
