#include "fix_session.hpp"

#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/fix44/NewOrderSingle.h>
#include <quickfix/fix44/OrderCancelRequest.h>
#include <quickfix/fix44/OrderStatusRequest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>

namespace order_engine {
namespace fix {
namespace {

/// Replaces the values of Username (553) and Password (554) in a raw FIX message.
std::string scrub_credentials(std::string message) {
  for (const char* tag : {"553=", "554="}) {
    std::string::size_type at = 0;
    while ((at = message.find(tag, at)) != std::string::npos) {
      const std::string::size_type value = at + 4;
      if (at != 0 && message[at - 1] != '\x01') {  // the digits end another tag, as 1553=
        at = value;
        continue;
      }
      std::string::size_type end = message.find('\x01', value);
      if (end == std::string::npos) end = message.size();
      message.replace(value, end - value, "***");
      at = value + 3;
    }
  }
  return message;
}

/// QuickFIX's FileLog with the credentials scrubbed from every message it writes: the
/// Logon carries them in clear.
class ScrubbingLog : public FIX::Log {
 public:
  ScrubbingLog(FIX::Log* log, FIX::LogFactory& owner) : log_(log), owner_(owner) {}
  ~ScrubbingLog() override { owner_.destroy(log_); }
  ScrubbingLog(const ScrubbingLog&) = delete;
  ScrubbingLog& operator=(const ScrubbingLog&) = delete;

  void clear() override { log_->clear(); }
  void backup() override { log_->backup(); }
  void onIncoming(const std::string& message) override { log_->onIncoming(scrub_credentials(message)); }
  void onOutgoing(const std::string& message) override { log_->onOutgoing(scrub_credentials(message)); }
  void onEvent(const std::string& text) override { log_->onEvent(text); }

 private:
  FIX::Log* log_;
  FIX::LogFactory& owner_;
};

// QuickFIX's LogFactory interface hands out and takes back raw pointers.
class ScrubbingLogFactory : public FIX::LogFactory {
 public:
  explicit ScrubbingLogFactory(const FIX::SessionSettings& settings) : files_(settings) {}
  FIX::Log* create() override { return new ScrubbingLog(files_.create(), files_); }
  FIX::Log* create(const FIX::SessionID& session) override { return new ScrubbingLog(files_.create(session), files_); }
  void destroy(FIX::Log* log) override { delete log; }

 private:
  FIX::FileLogFactory files_;
};

/// A FIX session open in this process: QuickFIX keeps its sessions in a process-wide
/// table, and a second initiator of the same session corrupts it (a crash).
class SessionClaim {
 public:
  SessionClaim(const FIX::SessionID& session, const std::string& settings_path) : name_(session.toString()) {
    const std::lock_guard<std::mutex> lock(mutex());
    if (!open().insert(name_).second) {
      throw std::runtime_error("FIX settings " + settings_path + ": the session " + name_ +
                               " is already open in this process; close the engine holding it first");
    }
  }
  ~SessionClaim() {
    const std::lock_guard<std::mutex> lock(mutex());
    open().erase(name_);
  }
  SessionClaim(const SessionClaim&) = delete;
  SessionClaim& operator=(const SessionClaim&) = delete;

 private:
  static std::mutex& mutex() {
    static std::mutex instance;
    return instance;
  }
  static std::set<std::string>& open() {
    static std::set<std::string> instance;
    return instance;
  }
  std::string name_;
};

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string password() {
  const std::string file = environment(kPasswordFileEnv);
  if (file.empty()) return environment(kPasswordEnv);
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) {
    throw std::runtime_error(std::string("FIX credentials: cannot read the password file ") + kPasswordFileEnv + "=" + file);
  }
  return line;
}

long long shares(const FIX::Message& message, int tag) {
  return message.isSetField(tag) ? std::llround(std::stod(message.getField(tag))) : 0;
}

double dollars(const FIX::Message& message, int tag) {
  return message.isSetField(tag) ? std::stod(message.getField(tag)) : 0.0;
}

char code(const FIX::Message& message, int tag) {
  return message.isSetField(tag) && !message.getField(tag).empty() ? message.getField(tag)[0] : '\0';
}

}  // namespace

struct InitiatorSession::Impl : public FIX::Application {
  Impl(const std::string& settings_path, SessionEvents session_events)
      : path(settings_path), events(std::move(session_events)) {
    try {
      settings = FIX::SessionSettings(settings_path);
    } catch (const FIX::ConfigError& error) {
      throw std::runtime_error("FIX settings " + settings_path + ": " + error.what());
    }
    const std::set<FIX::SessionID> sessions = settings.getSessions();
    if (sessions.size() != 1) {
      throw std::runtime_error("FIX settings " + settings_path + ": one [SESSION] expected, found " +
                               std::to_string(sessions.size()));
    }
    session = *sessions.begin();
    claim.reset(new SessionClaim(session, settings_path));
    const FIX::Dictionary& dictionary = settings.get(session);
    // Our stored messages would be the Logon (with its password) and orders: on a
    // resend request QuickFIX sends gap fills instead, so no stale order is replayed.
    if (!dictionary.has(FIX::PERSIST_MESSAGES) || dictionary.getBool(FIX::PERSIST_MESSAGES)) {
      throw std::runtime_error("FIX settings " + settings_path +
                               ": PersistMessages=N is required (no order is ever re-sent, no password stored)");
    }
    counterparty = dictionary.getString(FIX::SOCKET_CONNECT_HOST) + ":" + dictionary.getString(FIX::SOCKET_CONNECT_PORT);
    username = environment(kUsernameEnv);
    secret = password();
    store.reset(new FIX::FileStoreFactory(settings));
    try {
      if (dictionary.has(FIX::FILE_LOG_PATH)) {
        log.reset(new ScrubbingLogFactory(settings));
        initiator.reset(new FIX::SocketInitiator(*this, *store, settings, *log));
      } else {
        initiator.reset(new FIX::SocketInitiator(*this, *store, settings));
      }
    } catch (const FIX::ConfigError& error) {
      throw std::runtime_error("FIX settings " + settings_path + ": " + error.what());
    }
  }

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override { events.on_logon(); }
  void onLogout(const FIX::SessionID&) override { events.on_logout(); }
  void toAdmin(FIX::Message& message, const FIX::SessionID&) override {
    if (message.getHeader().getField(FIX::FIELD::MsgType) != FIX::MsgType_Logon) return;
    if (!username.empty()) message.setField(FIX::Username(username));
    if (!secret.empty()) message.setField(FIX::Password(secret));
  }
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                                                    FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& message, const FIX::SessionID&) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    const std::string type = message.getHeader().getField(FIX::FIELD::MsgType);
    if (type != FIX::MsgType_ExecutionReport && type != FIX::MsgType_OrderCancelReject) return;
    ExecutionReport report;
    report.cancel_rejected = type == FIX::MsgType_OrderCancelReject;
    report.client_order_id = message.getField(FIX::FIELD::ClOrdID);
    report.exec_type = code(message, FIX::FIELD::ExecType);
    report.order_status = code(message, FIX::FIELD::OrdStatus);
    report.last_quantity = shares(message, FIX::FIELD::LastQty);
    report.last_price = dollars(message, FIX::FIELD::LastPx);
    report.cumulative_quantity = shares(message, FIX::FIELD::CumQty);
    report.average_price = dollars(message, FIX::FIELD::AvgPx);
    report.leaves_quantity = shares(message, FIX::FIELD::LeavesQty);
    report.order_quantity = shares(message, FIX::FIELD::OrderQty);
    if (message.isSetField(FIX::FIELD::OrdRejReason)) report.reject_reason = std::stoi(message.getField(FIX::FIELD::OrdRejReason));
    if (message.isSetField(FIX::FIELD::Text)) report.text = message.getField(FIX::FIELD::Text);
    events.on_execution(report);
  }

  bool send(FIX::Message& message) {
    FIX::Session* live = FIX::Session::lookupSession(session);
    return live != nullptr && live->isLoggedOn() && FIX::Session::sendToTarget(message, session);
  }

  std::unique_ptr<SessionClaim> claim;  // first: released after QuickFIX's session is gone
  std::string path;
  SessionEvents events;
  FIX::SessionSettings settings;
  FIX::SessionID session;
  std::string counterparty;
  std::string username;
  std::string secret;
  std::unique_ptr<FIX::FileStoreFactory> store;
  std::unique_ptr<ScrubbingLogFactory> log;
  std::unique_ptr<FIX::SocketInitiator> initiator;
};

InitiatorSession::InitiatorSession(const std::string& settings_path, SessionEvents events)
    : impl_(new Impl(settings_path, std::move(events))) {}

// Forced: QuickFIX's graceful stop polls once a second for the logout.
InitiatorSession::~InitiatorSession() { impl_->initiator->stop(true); }

void InitiatorSession::logout() {
  if (FIX::Session* live = FIX::Session::lookupSession(impl_->session)) live->logout("the order engine closes");
}

void InitiatorSession::start() {
  try {
    impl_->initiator->start();
  } catch (const FIX::ConfigError& error) {
    throw std::runtime_error("FIX settings " + impl_->path + ": " + error.what());
  } catch (const FIX::RuntimeError& error) {
    throw std::runtime_error("FIX session to " + impl_->counterparty + ": " + error.what());
  }
}

const std::string& InitiatorSession::counterparty() const { return impl_->counterparty; }

bool InitiatorSession::send(const NewOrderSingle& order) {
  FIX44::NewOrderSingle message(FIX::ClOrdID(order.client_order_id), FIX::Side(order.buy ? FIX::Side_BUY : FIX::Side_SELL),
                                FIX::TransactTime(), FIX::OrdType(FIX::OrdType_LIMIT));
  message.set(FIX::Symbol(order.symbol));
  message.set(FIX::OrderQty(static_cast<double>(order.quantity)));
  message.set(FIX::Price(order.price));
  message.set(FIX::TimeInForce(order.day ? FIX::TimeInForce_DAY : FIX::TimeInForce_IMMEDIATE_OR_CANCEL));
  return impl_->send(message);
}

bool InitiatorSession::send(const OrderCancelRequest& request) {
  FIX44::OrderCancelRequest message(FIX::OrigClOrdID(request.original_id), FIX::ClOrdID(request.client_order_id),
                                    FIX::Side(request.buy ? FIX::Side_BUY : FIX::Side_SELL), FIX::TransactTime());
  message.set(FIX::Symbol(request.symbol));
  message.set(FIX::OrderQty(static_cast<double>(request.quantity)));
  return impl_->send(message);
}

bool InitiatorSession::send(const OrderStatusRequest& request) {
  FIX44::OrderStatusRequest message(FIX::ClOrdID(request.client_order_id),
                                    FIX::Side(request.buy ? FIX::Side_BUY : FIX::Side_SELL));
  message.set(FIX::Symbol(request.symbol));
  return impl_->send(message);
}

}  // namespace fix
}  // namespace order_engine
