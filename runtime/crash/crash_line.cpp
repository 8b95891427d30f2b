// The crash log line: time, level, thread, logger, job fields, message; text
// or JSON. Everything here must stay async-signal-safe.
#include "crash/crash_line.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>

#include "logging/log_escape.hpp"

namespace faktory_host::crash {

namespace {

std::atomic<bool> json_format{false};

// Appends into a fixed buffer; what does not fit is dropped, never allocated.
class LineBuffer {
public:
    void raw(const char* text) noexcept {
        for (; text && *text; ++text) put(*text);
    }
    // Escaped as the normal log lines are (a jid is untrusted input).
    void escaped(const char* text) noexcept {
        if (text == nullptr) return;
        logging::escape_for_log(text, json_ ? logging::LogEscape::json : logging::LogEscape::text,
                            [this](char c) noexcept { put(c); });
    }
    void digits(long long value, int width) noexcept {
        const NumberText text(value);
        int length = 0;
        while (text.c_str()[length]) ++length;
        for (; length < width; ++length) put('0');
        raw(text.c_str());
    }
    void end_line() noexcept {
        if (length_ == sizeof buffer_) --length_;  // the newline always fits
        buffer_[length_++] = '\n';
    }
    void write_to(int fd) const noexcept {
        std::size_t done = 0;
        while (done < length_) {
            const auto n = ::write(fd, buffer_ + done, length_ - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            done += static_cast<std::size_t>(n);
        }
    }
    void set_json(bool json) noexcept { json_ = json; }

private:
    void put(char c) noexcept {
        if (length_ < sizeof buffer_ - 1) buffer_[length_++] = c;
    }
    char buffer_[2048];
    std::size_t length_ = 0;
    bool json_ = false;
};

// UTC "2026-01-31T12:34:56.789Z" from clock_gettime: calendar arithmetic only.
void append_time(LineBuffer& line) noexcept {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    using namespace std::chrono;
    const sys_seconds seconds{std::chrono::seconds{now.tv_sec}};
    const auto day = floor<days>(seconds);
    const year_month_day date{day};
    const hh_mm_ss time{seconds - day};
    line.digits(static_cast<int>(date.year()), 4);
    line.raw("-");
    line.digits(static_cast<unsigned>(date.month()), 2);
    line.raw("-");
    line.digits(static_cast<unsigned>(date.day()), 2);
    line.raw("T");
    line.digits(time.hours().count(), 2);
    line.raw(":");
    line.digits(time.minutes().count(), 2);
    line.raw(":");
    line.digits(time.seconds().count(), 2);
    line.raw(".");
    line.digits(now.tv_nsec / 1'000'000, 3);
    line.raw("Z");
}

void append_thread_name(LineBuffer& line) noexcept {
    char name[17] = {};
    if (::prctl(PR_GET_NAME, name, 0, 0, 0) == 0 && name[0] != '\0')
        line.escaped(name);
    else
        line.raw("thread");
}

} // namespace

void set_log_format_json(bool json) noexcept { json_format = json; }

NumberText::NumberText(long long value) noexcept {
    char reversed[24];
    int n = 0;
    unsigned long long magnitude =
        value < 0 ? 0ULL - static_cast<unsigned long long>(value) : static_cast<unsigned long long>(value);
    do {
        reversed[n++] = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude && n < 22);
    int at = 0;
    if (value < 0) text_[at++] = '-';
    while (n) text_[at++] = reversed[--n];
    text_[at] = '\0';
}

void write_crash_line(int fd, const Activity* activity, std::initializer_list<const char*> parts) noexcept {
    const bool json = json_format.load(std::memory_order_relaxed);
    const char* jid = activity ? activity->jid : nullptr;
    const char* jobtype = activity && !activity->phase ? activity->jobtype : nullptr;
    LineBuffer line;
    line.set_json(json);
    if (json) {
        line.raw("{\"time\":\"");
        append_time(line);
        line.raw("\",\"level\":\"fatal\",\"logger\":\"faktory.crash\",\"thread\":\"");
        append_thread_name(line);
        line.raw("\",\"message\":\"");
        for (const char* part : parts) line.escaped(part);
        line.raw("\"");
        if (jid) {
            line.raw(",\"jid\":\"");
            line.escaped(jid);
            line.raw("\"");
        }
        if (jobtype) {
            line.raw(",\"jobtype\":\"");
            line.escaped(jobtype);
            line.raw("\"");
        }
        line.raw("}");
    } else {
        append_time(line);
        line.raw(" FATAL [");
        append_thread_name(line);
        line.raw("] faktory.crash: ");
        if (jid) {
            line.raw("jid=");
            line.escaped(jid);
            line.raw(" ");
        }
        if (jobtype) {
            line.raw("jobtype=");
            line.escaped(jobtype);
            line.raw(" ");
        }
        for (const char* part : parts) line.escaped(part);
    }
    line.end_line();
    line.write_to(fd);
}

const char* signal_name(int signal) noexcept {
    switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    default: return "signal";
    }
}

const char* signal_meaning(int signal) noexcept {
    switch (signal) {
    case SIGSEGV: return "invalid memory access";
    case SIGBUS: return "bad memory access, e.g. a truncated mapped file";
    case SIGFPE: return "arithmetic error, e.g. integer division by zero";
    case SIGILL: return "illegal instruction";
    case SIGABRT: return "abort(), e.g. std::terminate or a failed assert";
    default: return "fatal signal";
    }
}

} // namespace faktory_host::crash
