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
