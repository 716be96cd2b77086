// The QuickFIX side of the FIX venue: one FIX 4.4 initiator session, its messages as
// plain values. Its source is compiled as C++14: the QuickFIX headers Debian ships
// carry dynamic exception specifications, which C++17 removed. So this header, which
// the C++20 venue includes, names no QuickFIX type.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace order_engine {
namespace fix {

/// The fields of an ExecutionReport (35=8) the venue reads; quantities in shares, prices in dollars.
struct ExecutionReport {
  std::string client_order_id;  // 11
  char exec_type = 0;           // 150: '0' new, 'F' trade, '4' canceled, '8' rejected, 'I' order status
  char order_status = 0;        // 39
  long long last_quantity = 0;  // 32
  double last_price = 0;        // 31
  long long cumulative_quantity = 0;  // 14
  double average_price = 0;     // 6
  long long leaves_quantity = 0;  // 151
  long long order_quantity = 0;   // 38
  int reject_reason = -1;       // 103, -1 when absent
  std::string text;             // 58
  bool cancel_rejected = false; // an OrderCancelReject (35=9) for the cancel request client_order_id
};

/// A limit order (35=D); a DAY order rests, an IOC one does not.
struct NewOrderSingle {
  std::string client_order_id;
  std::string symbol;
  bool buy = true;
  long long quantity = 0;  // shares
  double price = 0;        // dollars
  bool day = true;
};

/// An OrderStatusRequest (35=H) for an order sent earlier.
struct OrderStatusRequest {
  std::string client_order_id;
  std::string symbol;
  bool buy = true;
};

/// An OrderCancelRequest (35=F): a new ClOrdID of its own for the order original_id.
struct OrderCancelRequest {
  std::string client_order_id;
  std::string original_id;
  std::string symbol;
  bool buy = true;
  long long quantity = 0;  // shares, the order's
};

/// Called on QuickFIX's socket thread.
struct SessionEvents {
  std::function<void()> on_logon;
  std::function<void()> on_logout;  // a logout or a dropped connection
  std::function<void(const ExecutionReport&)> on_execution;
};

/// Credentials of the Logon (553/554): MOMENTUM_FIX_USERNAME and MOMENTUM_FIX_PASSWORD,
/// or the password read from the file MOMENTUM_FIX_PASSWORD_FILE names. Never logged.
constexpr const char* const kUsernameEnv = "MOMENTUM_FIX_USERNAME";
constexpr const char* const kPasswordEnv = "MOMENTUM_FIX_PASSWORD";
constexpr const char* const kPasswordFileEnv = "MOMENTUM_FIX_PASSWORD_FILE";

class InitiatorSession {
 public:
  /// Reads a QuickFIX settings file with exactly one session; throws std::runtime_error
  /// naming the file for a bad one (PersistMessages must be N, see session.cfg.example).
  InitiatorSession(const std::string& settings_path, SessionEvents events);
  ~InitiatorSession();  // stops the socket thread at once (logout() first for a clean end)
  InitiatorSession(const InitiatorSession&) = delete;
  InitiatorSession& operator=(const InitiatorSession&) = delete;

  /// Starts connecting (and reconnecting after a drop) in the background.
  void start();
  /// "host:port" of the counterparty, for error messages.
  const std::string& counterparty() const;
  /// Sends a Logout; on_logout follows when the counterparty answers.
  void logout();
  /// False when the session is not logged on: nothing was sent.
  bool send(const NewOrderSingle& order);
  bool send(const OrderStatusRequest& request);
  bool send(const OrderCancelRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fix
}  // namespace order_engine
