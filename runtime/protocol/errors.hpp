// The exceptions the protocol layer throws; each message is meant for a user.
#pragma once
#include <stdexcept>
#include <string>

namespace faktory_host::protocol {

// Base of everything the protocol layer throws.
class FaktoryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The peer sent bytes that are not valid RESP / not what the command expects.
// The message quotes the offending bytes, escaped and cut short.
class ProtocolError : public FaktoryError {
public:
    using FaktoryError::FaktoryError;
};

// The socket could not be opened, timed out, or was closed under us.
class ConnectionError : public FaktoryError {
public:
    using FaktoryError::FaktoryError;
};

// A command was written but its reply never came whole (closed, timed out):
// the server may or may not have carried it out. Still a ConnectionError (the
// connection is gone); callers that must not repeat a command (PUSH) tell it apart.
class ReplyLostError : public ConnectionError {
public:
    using ConnectionError::ConnectionError;
};

// The server wants a password we do not have, or refused the one we sent.
class AuthenticationError : public FaktoryError {
public:
    using FaktoryError::FaktoryError;
};

// The server answered a command with a RESP error (`-ERR ...`, `-NOTUNIQUE ...`).
class ServerError : public FaktoryError {
public:
    ServerError(std::string code, std::string message)
        : FaktoryError(code + " " + message), code_(std::move(code)), server_message_(std::move(message)) {}
    const std::string& code() const { return code_; }                      // "ERR", "NOTUNIQUE", ...
    const std::string& server_message() const { return server_message_; }  // text after the code

    // From the text of a RESP error ("ERR Job not found 123"): code up to the first space, message after it.
    static ServerError from_reply(const std::string& text) {
        const auto space = text.find(' ');
        return ServerError(text.substr(0, space), space == std::string::npos ? "" : text.substr(space + 1));
    }

private:
    std::string code_;
    std::string server_message_;
};

// A Faktory URL that cannot be parsed; the message quotes it with the password masked.
class UrlError : public FaktoryError {
public:
    using FaktoryError::FaktoryError;
};

} // namespace faktory_host::protocol
