// PluginGeneration: loads the plugins directory into one immutable generation
// (whole-file read, ELF check, private copy, ABI check, init, registration) and
// dispatches jobs to it.
#include "plugins/plugin_generation.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstddef>
#include <mutex>
#include <set>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

#include <Poco/Logger.h>

#include "crash/activity.hpp"
#include "crash/fatal_signals.hpp"
#include "plugins/elf_check.hpp"
#include "plugins/file_safety.hpp"
#include "plugins/host_api.hpp"
#include "plugins/private_copy.hpp"
#include "plugins/host_api_handle.hpp"
#include "plugins/middleware_chain.hpp"
#include "plugins/shared_image.hpp"
#include "plugins/thread_census.hpp"

namespace faktory_host::plugins {

namespace fs = std::filesystem;

namespace {

using QueryFn = const faktory_plugin_info* (*)();
using InitFn = int (*)(const faktory_init_args*);
using ShutdownFn = void (*)();

std::atomic<std::uint64_t> generation_counter{0};  // generations put into service
std::atomic<std::uint64_t> load_counter{0};        // loads attempted; names the private copies

// A plugin file the loader looks at: *.so, and not hidden. Authors deploy by
// writing a hidden temporary (.name.so.tmp) and rename()-ing it into place, so
// a copy in progress is never mistaken for a plugin.
bool is_plugin_file_name(const fs::path& file) {
    const std::string name = file.filename().string();
    return !name.empty() && name.front() != '.' && file.extension() == ".so";
}

// A refused plugin; the message is complete (it starts with the file's path).
struct Refusal : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A plugin whose name an earlier file of the same generation also declares:
// neither is loaded, since the loader cannot know which one is the leftover.
struct NameTaken : Refusal {
    NameTaken(const std::string& message, std::string earlier_file)
        : Refusal(message), earlier_file(std::move(earlier_file)) {}
    std::string earlier_file;
};

// Warns once per plugin name per process, so twenty reloads of a plugin that
// leaves threads behind make one line, not twenty.
void warn_threads_left_behind(const std::string& plugin, const std::string& file, std::size_t threads) {
    static std::mutex mutex;
    static std::set<std::string> warned;
    {
        std::lock_guard lock(mutex);
        if (!warned.insert(plugin).second) return;
    }
    Poco::Logger::get("faktory.plugins")
        .warning("plugin " + plugin + " (" + file + ") left " + std::to_string(threads) +
                 " thread(s) running after its shutdown; its code stays mapped for the rest of the process "
                 "(this and every later generation of it that does the same). Stop and join the plugin's threads "
                 "in its shutdown (on_shutdown) so reloads can unload it");
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// Lets unordered_map find a handler by string_view without building a string per job.
struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

} // namespace

// One loaded plugin. Members are destroyed bottom-up: handler state first, the image last.
struct PluginRecord {
    std::unique_ptr<PrivateCopy> copy;
    std::unique_ptr<SharedImage> image;
    std::unique_ptr<faktory_registrar> registrar;
    ShutdownFn shutdown = nullptr;
    bool initialized = false;
    LoadedPlugin info;
    // Threads that appeared while the image was loaded and initialised: the plugin's own.
    std::vector<ThreadMark> threads_started;
    // 1.1: the plugin's host handle and the instance its init set.
    std::shared_ptr<faktory_host_handle> handle;
    faktory_instance instance{sizeof(faktory_instance), nullptr, nullptr, nullptr};

    PluginRecord() = default;
    PluginRecord(const PluginRecord&) = delete;
    PluginRecord& operator=(const PluginRecord&) = delete;
    ~PluginRecord() {
        // Shutdown export, then the handlers' destroy callbacks, then the image closes.
        if (initialized && shutdown) {
            // A crash or exit() inside the shutdown export names the plugin in the log.
            const crash::Activity activity{info.name.c_str(), "shutdown", nullptr, nullptr, nullptr};
            const crash::ActivityScope scope(activity);
            try {
                shutdown();
            } catch (...) {
                // An exception across the C boundary is the plugin's bug; unloading goes on.
            }
        }
        // 1.1 order: instance shutdown after the export, handle closed, the
        // registrations' destroys, then the instance's destroy (also after a failed init).
        if (initialized && instance.shutdown) {
            const crash::Activity activity{info.name.c_str(), "shutdown", nullptr, nullptr, nullptr};
            const crash::ActivityScope scope(activity);
            try {
                instance.shutdown(instance.instance);
            } catch (...) {
            }
        }
        if (handle) handle->open.store(false);
        registrar.reset();
        if (instance.destroy) {
            try {
                instance.destroy(instance.instance);
            } catch (...) {
            }
        }
        keep_mapped_while_its_threads_run();
        image.reset();
        keep_the_name_while_the_image_stays();
        copy.reset();
    }

    // glibc finds an image by its name before it opens anything: if the image
    // outlived dlclose, a later copy given the same /proc/self/fd/N would be
    // handed this old code. Keeping the memfd open keeps N taken.
    void keep_the_name_while_the_image_stays() {
        if (copy && copy->in_memory() && SharedImage::still_loaded(copy->load_path())) copy->keep_forever();
    }

    // A thread the plugin started and did not stop in shutdown may run the
    // image's code at any moment: unmapping it would crash the process.
    void keep_mapped_while_its_threads_run() {
        if (!image) return;
        const std::size_t running = still_running(threads_started);
        if (running == 0) return;
        image->keep_mapped();
        if (copy) copy->keep_forever();
        warn_threads_left_behind(info.name.empty() ? info.file : "\"" + info.name + "\"", info.file, running);
    }
};

namespace {

// Records, when it goes out of scope (loaded or refused), which threads
// appeared since `before`: during dlopen (static constructors), the query
// and init. A host thread started at that very moment by another part of the
// host would be counted too; that costs only an image kept mapped.
struct ThreadsStartedDuringLoad {
    PluginRecord& record;
    std::vector<ThreadMark> before = live_threads();
    ~ThreadsStartedDuringLoad() { record.threads_started = threads_started_between(before, live_threads()); }
};

} // namespace

struct PluginGeneration::Impl {
    struct Handler {
        faktory_handler_fn fn;
        void* user_data;
        const LoadedPlugin* plugin;
        void* instance;  // what the plugin's init set (1.1), passed back to handlers
    };

    mutable std::once_flag numbered;
    mutable std::uint64_t number = 0;
    std::uint64_t load_number = 0;
    std::vector<std::unique_ptr<PluginRecord>> records;  // load order
    std::vector<LoadedPlugin> plugins;
    std::unordered_map<std::string, Handler, TransparentHash, std::equal_to<>> handlers;
    std::set<std::string> contested_names;  // declared by two files: refused in every file
    // The table plugins get: the host's own, or a copy cut to LoaderOptions::host_api_size.
    const faktory_host_api* host_table = &host_api();
    std::unique_ptr<faktory_host_api> cut_table;
    std::vector<Middleware> middleware;  // in run order (LoaderOptions::middleware_order, then load order)

    std::unique_ptr<PluginRecord> load_one(const fs::path& file, const LoaderOptions& options) const;
    void adopt(std::unique_ptr<PluginRecord> record);
    void withdraw(const std::string& file);
    void order_middleware(const LoaderOptions& options, LoadReport& report);
};

std::unique_ptr<PluginRecord> PluginGeneration::Impl::load_one(const fs::path& file, const LoaderOptions& options) const {
    const std::string where = file.string() + ": ";
    const std::string file_name = file.filename().string();
    if (options.check_permissions) {
        if (auto reason = unsafe_reason(file); !reason.empty()) throw Refusal(where + "refused: " + reason);
    }

    // One complete read: the ELF check, the pin and the mapping all see these
    // very bytes, so the file cannot change in between.
    std::vector<unsigned char> bytes;
    try {
        bytes = read_whole_plugin_file(file);
    } catch (const std::exception& e) {
        throw Refusal(where + e.what());
    }
    if (auto problem = elf_image_problem(bytes); !problem.empty())
        throw Refusal(where + "refused before loading: " + problem +
                      "; is it a complete shared object built for this platform (faktory_add_plugin)? Remove it from " +
                      file.parent_path().string() + " if not");

    // Of the bytes that are loaded, for pins and for /metrics' plugin_info.
    const std::string actual = sha256_hex(bytes);
    if (auto pin = options.sha256_pins.find(file_name); pin != options.sha256_pins.end()) {
        std::string expected = pin->second;
        std::transform(expected.begin(), expected.end(), expected.begin(), [](unsigned char c) { return std::tolower(c); });
        if (actual != expected)
            throw Refusal(where + "refused: its SHA-256 is " + actual + " but plugins.pins says " + expected +
                          "; deploy the pinned build or update the pin (sha256sum " + file.string() + ")");
    }

    auto record = std::make_unique<PluginRecord>();
    record->info.file = file_name;
    record->info.sha256 = actual;
    try {
        const fs::path copy_dir = options.copy_dir.empty() ? fs::temp_directory_path() : options.copy_dir;
        record->copy = std::make_unique<PrivateCopy>(
            bytes, "faktory-host-plugins-l" + std::to_string(load_number) + "-" + file_name, copy_dir);
    } catch (const std::exception& e) {
        throw Refusal(where + e.what());
    }
    record->info.image_path = record->copy->mapped_name();
    const ThreadsStartedDuringLoad census{*record};
    try {
        record->image = std::make_unique<SharedImage>(record->copy->load_path());
        record->copy->mapped();
    } catch (const ImageLoadError& e) {
        std::string reason = e.what();
        replace_all(reason, record->copy->load_path().string(), file.string());
        std::string hint;
        if (reason.find("undefined symbol") != std::string::npos)
            hint = "; it needs a symbol nothing provides — link plugins with -Wl,-z,defs (faktory_add_plugin "
                   "does) to catch this at build time";
        else
            hint = "; is it a shared object built for this platform (faktory_add_plugin)? Remove it from " +
                   file.parent_path().string() + " if not";
        throw Refusal(where + "cannot be loaded: " + reason + hint);
    }

    auto query = reinterpret_cast<QueryFn>(record->image->symbol(FAKTORY_PLUGIN_QUERY_NAME));
    if (!query)
        throw Refusal(where + "not a Faktory Host plugin: it does not export " FAKTORY_PLUGIN_QUERY_NAME
                              " (define the plugin with FAKTORY_PLUGIN(...) from <faktory/plugin.hpp>, or "
                              "export the functions declared in <faktory/plugin.h>)");
    const faktory_plugin_info* info = nullptr;
    try {
        info = query();
    } catch (...) {
        throw Refusal(where + FAKTORY_PLUGIN_QUERY_NAME " threw an exception; it must not");
    }
    constexpr std::size_t needed = offsetof(faktory_plugin_info, version) + sizeof(info->version);
    if (!info || info->size < offsetof(faktory_plugin_info, abi_minor) + sizeof(info->abi_minor))
        throw Refusal(where + FAKTORY_PLUGIN_QUERY_NAME " returned no usable plugin description");
    if (info->abi_major != FAKTORY_PLUGIN_ABI_MAJOR)
        throw Refusal(where + "built for plugin ABI " + std::to_string(info->abi_major) + "." +
                      std::to_string(info->abi_minor) + ", but this host speaks ABI " +
                      std::to_string(FAKTORY_PLUGIN_ABI_MAJOR) + "; rebuild it against FaktoryHost SDK " +
                      std::to_string(FAKTORY_PLUGIN_ABI_MAJOR) + ".x");
    if (info->size < needed || !info->name || !*info->name)
        throw Refusal(where + "its plugin description has no name; give FAKTORY_PLUGIN a non-empty name");
    record->info.name = info->name;
    record->info.version = info->version ? info->version : "";
    if (contested_names.count(record->info.name))
        throw Refusal(where + "plugin name \"" + record->info.name +
                      "\" is declared by more than one file in the plugins directory; none of them is loaded");
    for (const auto& other : plugins)
        if (other.name == record->info.name)
            throw NameTaken(where + "plugin name \"" + record->info.name + "\" is also declared by " + other.file +
                                "; neither is loaded, since each plugin needs its own name (it selects the "
                                "plugin's config block). If one is a leftover copy, remove it; deploy by writing "
                                "a hidden temporary file (.name.so.tmp) and rename()-ing it into place",
                            other.file);

    auto init = reinterpret_cast<InitFn>(record->image->symbol(FAKTORY_PLUGIN_INIT_NAME));
    if (!init)
        throw Refusal(where + "declares plugin ABI " + std::to_string(FAKTORY_PLUGIN_ABI_MAJOR) +
                      " but does not export " FAKTORY_PLUGIN_INIT_NAME "; rebuild it with the SDK's FAKTORY_PLUGIN");
    record->shutdown = reinterpret_cast<ShutdownFn>(record->image->symbol(FAKTORY_PLUGIN_SHUTDOWN_NAME));

    const auto config = options.config_json.find(record->info.name);
    const std::string& config_json = config != options.config_json.end() ? config->second : std::string("{}");
    record->registrar = std::make_unique<faktory_registrar>();
    record->registrar->config_json = config_json;
    char error[1024] = {0};
    faktory_init_args args{};
    args.size = sizeof(args);
    args.host = host_table;
    args.registrar = record->registrar.get();
    args.config_json = faktory_string{config_json.c_str(), config_json.size()};
    args.error = error;
    args.error_size = sizeof error;
    record->handle = handle_api::plugin_handle(options.services, record->info.name);
    args.host_handle = record->handle.get();
    args.instance = &record->instance;
    // A host emulating 1.0 (tests of the version rule) also hands 1.0's init block.
    if (options.host_api_size != 0 && options.host_api_size <= FAKTORY_HOST_API_SIZE_1_0)
        args.size = offsetof(faktory_init_args, host_handle);
    int status = FAKTORY_ERROR;
    crash::ensure_alternate_signal_stack();  // so a stack overflow in init still gets its crash line
    try {
        // A crash or exit() inside init names the plugin in the log.
        const crash::Activity activity{record->info.name.c_str(), "init", nullptr, nullptr, nullptr};
        const crash::ActivityScope scope(activity);
        status = init(&args);
    } catch (...) {
        std::snprintf(error, sizeof error, "an exception escaped init across the C boundary");
    }
    record->registrar->open = false;  // registration happens during init, never later
    const std::string plugin = "plugin \"" + record->info.name + "\" ";
    if (!record->registrar->errors.empty()) {
        std::string all;
        for (const auto& e : record->registrar->errors) all += (all.empty() ? "" : "; ") + e;
        throw Refusal(where + plugin + all + "; fix the registration in its init" +
                      (error[0] ? " (init reported: " + std::string(error) + ")" : std::string()));
    }
    if (status != FAKTORY_OK)
        throw Refusal(where + plugin + "init failed: " + (error[0] ? std::string(error) : "no reason given") +
                      " (status " + std::to_string(status) + ")");
    record->initialized = true;

    for (const auto& entry : record->registrar->entries) {
        if (auto taken = handlers.find(entry.jobtype); taken != handlers.end())
            throw Refusal(where + "jobtype \"" + entry.jobtype + "\" of plugin \"" + record->info.name + "\" (" +
                          file_name + ") is already handled by plugin \"" + taken->second.plugin->name + "\" (" +
                          taken->second.plugin->file + "); " + file_name +
                          " is refused — rename the jobtype in one of them or remove one plugin");
        record->info.jobtypes.push_back(entry.jobtype);
    }
    return record;
}

void PluginGeneration::Impl::withdraw(const std::string& file) {
    const auto found = std::find_if(records.begin(), records.end(),
                                    [&](const auto& record) { return record->info.file == file; });
    if (found == records.end()) return;
    std::erase_if(handlers, [&](const auto& entry) { return entry.second.plugin == &(*found)->info; });
    std::erase_if(plugins, [&](const LoadedPlugin& plugin) { return plugin.file == file; });
    records.erase(found);  // shutdown export, then unload
}

void PluginGeneration::Impl::adopt(std::unique_ptr<PluginRecord> record) {
    records.push_back(std::move(record));
    const PluginRecord& added = *records.back();
    for (const auto& entry : added.registrar->entries)
        handlers.emplace(entry.jobtype, Handler{entry.handler, entry.user_data, &added.info, added.instance.instance});
}

PluginGeneration::PluginGeneration() : impl_(std::make_unique<Impl>()) {}

PluginGeneration::~PluginGeneration() {
    // Last loaded goes first, like destructors of stacked objects.
    impl_->handlers.clear();
    while (!impl_->records.empty()) impl_->records.pop_back();
}

std::shared_ptr<PluginGeneration> PluginGeneration::load(const LoaderOptions& options, LoadReport& report) {
    std::error_code error;
    if (!fs::is_directory(options.dir, error))
        throw std::runtime_error("plugins directory " + options.dir.string() +
                                 " does not exist or is not a directory; create it or fix plugins.dir");
    if (options.check_permissions) {
        if (auto reason = unsafe_reason(options.dir); !reason.empty())
            throw std::runtime_error("plugins directory refused: " + reason);
    }

    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(options.dir, error)) {
        if (!is_plugin_file_name(entry.path())) continue;
        std::error_code type_error;  // a symlink loop must not make the whole folder unusable
        if (entry.is_regular_file(type_error)) files.push_back(entry.path());
        // Anything else named *.so (a directory, a broken link, a link loop) is not a plugin: say so.
        else
            report.errors.push_back({entry.path().filename().string(),
                                     entry.path().string() + ": not a regular file" +
                                         (type_error ? " (" + type_error.message() + ")" : std::string()) +
                                         "; remove it from the plugins directory"});
    }
    if (error) throw std::runtime_error("cannot list plugins directory " + options.dir.string() + ": " + error.message());
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });

    std::shared_ptr<PluginGeneration> generation(new PluginGeneration());
    auto& impl = *generation->impl_;
    impl.load_number = ++load_counter;
    if (options.host_api_size != 0 && options.host_api_size < sizeof(faktory_host_api)) {
        // Everything past the cut is zeroed, as if this host had never had it.
        impl.cut_table = std::make_unique<faktory_host_api>(host_api());
        auto* bytes = reinterpret_cast<unsigned char*>(impl.cut_table.get());
        std::memset(bytes + options.host_api_size, 0, sizeof(faktory_host_api) - options.host_api_size);
        impl.cut_table->size = options.host_api_size;
        if (options.host_api_size <= FAKTORY_HOST_API_SIZE_1_0) impl.cut_table->abi_minor = 0;
        impl.host_table = impl.cut_table.get();
    }
    for (const auto& file : files) {
        try {
            impl.adopt(impl.load_one(file, options));
            impl.plugins.push_back(impl.records.back()->info);
            report.plugins.push_back(impl.records.back()->info);
        } catch (const NameTaken& e) {
            report.errors.push_back({file.filename().string(), e.what()});
            // The earlier file loses its place too: which of the two is meant is anyone's guess.
            const auto earlier = options.dir / e.earlier_file;
            const auto name = std::find_if(impl.plugins.begin(), impl.plugins.end(),
                                           [&](const LoadedPlugin& p) { return p.file == e.earlier_file; })->name;
            impl.contested_names.insert(name);
            impl.withdraw(e.earlier_file);
            std::erase_if(report.plugins, [&](const LoadedPlugin& p) { return p.file == e.earlier_file; });
            report.errors.push_back({e.earlier_file, earlier.string() + ": plugin name \"" + name +
                                                         "\" is also declared by " + file.filename().string() +
                                                         "; neither is loaded (see the error for " +
                                                         file.filename().string() + ")"});
        } catch (const std::exception& e) {
            report.errors.push_back({file.filename().string(), e.what()});
        }
    }
    impl.order_middleware(options, report);
    return generation;
}

void PluginGeneration::Impl::order_middleware(const LoaderOptions& options, LoadReport& report) {
    std::vector<Middleware> loaded;
    for (const auto& record : records)
        for (const auto& entry : record->registrar->middleware)
            loaded.push_back({record->info.name + "/" + entry.name, entry.jobtypes, entry.fn, entry.user_data});
    for (const auto& id : options.middleware_order) {
        const auto found = std::find_if(loaded.begin(), loaded.end(), [&](const Middleware& m) { return m.id == id; });
        if (found == loaded.end()) {
            report.errors.push_back({"", "plugins.middleware names \"" + id +
                                             "\", but no loaded plugin registered it (ids are \"plugin/name\")"});
            continue;
        }
        middleware.push_back(*found);
        loaded.erase(found);
    }
    for (auto& rest : loaded) middleware.push_back(std::move(rest));
}

std::uint64_t PluginGeneration::number() const {
    std::call_once(impl_->numbered, [this] { impl_->number = ++generation_counter; });
    return impl_->number;
}

bool PluginGeneration::handles(std::string_view jobtype) const {
    return impl_->handlers.find(jobtype) != impl_->handlers.end();
}

std::vector<std::string> PluginGeneration::jobtypes() const {
    std::vector<std::string> all;
    for (const auto& [jobtype, handler] : impl_->handlers) all.push_back(jobtype);
    std::sort(all.begin(), all.end());
    return all;
}

const std::vector<LoadedPlugin>& PluginGeneration::plugins() const { return impl_->plugins; }

const std::string& PluginGeneration::plugin_of(std::string_view jobtype) const {
    static const std::string none;
    const auto found = impl_->handlers.find(jobtype);
    return found == impl_->handlers.end() ? none : found->second.plugin->name;
}

JobOutcome PluginGeneration::run(const JobInput& job, std::stop_token cancel, const HostServices& services) const {
    JobOutcome outcome;
    try {
        const auto found = impl_->handlers.find(std::string_view(job.jobtype));
        if (found == impl_->handlers.end()) {
            outcome.status = JobOutcome::Status::fail;
            outcome.errtype = "UnknownJobtype";
            outcome.message = "no loaded plugin handles jobtype \"" + job.jobtype + "\"";
            return outcome;
        }
        faktory_job context(job, cancel, services, outcome);
        context.instance = found->second.instance;
        context.plugin = found->second.plugin->name;
        int status = FAKTORY_ERROR;
        // The middleware for this jobtype, in order; none is the common, direct case.
        std::vector<const Middleware*> chain;
        for (const auto& link : impl_->middleware)
            if (link.applies_to(job.jobtype)) chain.push_back(&link);
        try {
            status = chain.empty() ? found->second.fn(&context, found->second.user_data)
                                   : middleware_api::run_chain(&context, chain, found->second.fn, found->second.user_data);
        } catch (...) {
            // Only a plugin breaking the ABI's rules gets here; the job fails rather than the host.
            outcome.errtype = "PluginError";
            outcome.message = "an exception escaped the handler across the C boundary";
            context.failed = true;
        }
        if (context.failed) {
            outcome.status = JobOutcome::Status::fail;
        } else if (status != FAKTORY_OK) {
            outcome.status = JobOutcome::Status::fail;
            outcome.errtype = "PluginError";
            outcome.message = "handler for " + job.jobtype + " (plugin " + found->second.plugin->name +
                              ") returned status " + std::to_string(status) + " without a reason";
        }
    } catch (const std::exception& e) {
        outcome.status = JobOutcome::Status::fail;
        outcome.errtype = "HostError";
        outcome.message = e.what();
    } catch (...) {
        outcome.status = JobOutcome::Status::fail;
        outcome.errtype = "HostError";
        outcome.message = "unknown error while dispatching the job";
    }
    return outcome;
}

} // namespace faktory_host::plugins
