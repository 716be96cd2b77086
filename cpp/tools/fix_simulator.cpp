// order_engine_fix_simulator: a FIX 4.4 exchange for tests and demos, a QuickFIX
// acceptor that fills limit orders at a fixed price per symbol, with misbehaviours on
// demand. Compiled as C++14, as the QuickFIX headers need.
//
//   order_engine_fix_simulator --port P --prices prices.csv --store DIR --orders-log FILE
//       [--sender SIM] [--target MOMENTUM] [--partial N] [--reject SYMBOL]
//       [--delay-ms MS] [--drop-after K] [--fill-before-cancel N] [--ack-first] [--log DIR]
//
// prices.csv has lines symbol,price (dollars). A buy fills when its limit is at or
// above the symbol's price, a sell at or below, in N executions with --partial N;
// otherwise an IOC order is cancelled and a DAY order rests. --reject SYMBOL rejects
// every order in it; --delay-ms waits before answering; --drop-after K takes the K-th
// order (it trades) but drops the connection before answering it, once;
// --fill-before-cancel N fills N shares of a resting order as its cancel arrives;
// --ack-first acknowledges every order (ExecType NEW) before it trades, as brokers do. Every
// ClOrdID received is appended to the orders log, one a line, so a test can count
// duplicates. OrderStatusRequests are answered from the simulator's order table
// (unknown orders: OrdStatus=8, OrdRejReason=5), OrderCancelRequests for working
// orders cancel them (others get an OrderCancelReject). The store keeps sequence numbers
// and sent messages across restarts, for resends. QuickFIX 1.14 listens on every
// interface (it has no SocketAcceptHost): run it on a test machine only. Stops on
// SIGINT/SIGTERM.
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketAcceptor.h>
#include <quickfix/fix44/ExecutionReport.h>

#include <signal.h>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

struct Options {
  int port = 0;
  std::string prices_path;
  std::string store;
  std::string orders_log;
  std::string log;  // QuickFIX message log directory; none if empty
  std::string sender = "SIM";
  std::string target = "MOMENTUM";
  long long partial = 1;
  std::string reject;
  long long delay_ms = 0;
  long long drop_after = 0;  // 0: never
  long long fill_before_cancel = 0;  // shares of a resting order filled just before its cancel
  bool ack_first = false;  // a NEW report before the fills
};

struct Order {
  std::string symbol;
  char side = FIX::Side_BUY;
  double quantity = 0;
  double cumulative = 0;
  double notional = 0;  // dollars
  char status = FIX::OrdStatus_NEW;
  std::string text;
};

std::map<std::string, double> read_prices(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the prices file " + path);
  std::map<std::string, double> prices;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::string::size_type comma = line.find(',');
    if (comma == std::string::npos) {
      throw std::runtime_error(path + " line " + std::to_string(number) + ": symbol,price expected, got '" + line + "'");
    }
    prices[line.substr(0, comma)] = std::stod(line.substr(comma + 1));
  }
  return prices;
}

class Exchange : public FIX::Application {
 public:
  explicit Exchange(const Options& options) : options_(options), prices_(read_prices(options.prices_path)),
                                              orders_log_(options.orders_log, std::ios::app) {
    if (!orders_log_) throw std::runtime_error("cannot append to the orders log " + options.orders_log);
  }

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& session) override { std::cout << "logon " << session << std::endl; }
  void onLogout(const FIX::SessionID& session) override { std::cout << "logout " << session << std::endl; }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                                                    FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& message, const FIX::SessionID& session) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    const std::string type = message.getHeader().getField(FIX::FIELD::MsgType);
    const std::lock_guard<std::mutex> lock(mutex_);
    if (type == FIX::MsgType_NewOrderSingle) return new_order(message, session);
    if (type == FIX::MsgType_OrderStatusRequest) return order_status(message, session);
    if (type == FIX::MsgType_OrderCancelRequest) return cancel(message, session);
    throw FIX::UnsupportedMessageType();
  }

 private:
  void new_order(const FIX::Message& message, const FIX::SessionID& session) {
    const std::string id = message.getField(FIX::FIELD::ClOrdID);
    orders_log_ << id << std::endl;
    ++received_;
    Order order;
    order.symbol = message.getField(FIX::FIELD::Symbol);
    order.side = message.getField(FIX::FIELD::Side)[0];
    order.quantity = std::stod(message.getField(FIX::FIELD::OrderQty));
    const double limit = std::stod(message.getField(FIX::FIELD::Price));
    const bool ioc = message.isSetField(FIX::FIELD::TimeInForce) &&
                     message.getField(FIX::FIELD::TimeInForce)[0] == FIX::TimeInForce_IMMEDIATE_OR_CANCEL;
    if (options_.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options_.delay_ms));
    const bool drop = !dropped_ && options_.drop_after > 0 && received_ == options_.drop_after;

    const auto price = prices_.find(order.symbol);
    if (order.symbol == options_.reject || price == prices_.end()) {
      order.status = FIX::OrdStatus_REJECTED;
      order.text = order.symbol == options_.reject ? order.symbol + " is not traded here (--reject)"
                                                   : "no price for " + order.symbol + " in " + options_.prices_path;
      orders_[id] = order;
      if (!drop) send(report(id, orders_[id], FIX::ExecType_REJECTED, 0, 0), session);
    } else if (order.side == FIX::Side_BUY ? limit >= price->second : limit <= price->second) {
      if (options_.ack_first) {
        order.status = FIX::OrdStatus_NEW;
        orders_[id] = order;
        if (!drop) send(report(id, order, FIX::ExecType_NEW, 0, 0), session);
      }
      // Pieces as equal as whole shares allow; the last takes the remainder.
      const double piece = std::floor(order.quantity / static_cast<double>(options_.partial));
      for (long long n = 1; n <= options_.partial; ++n) {
        const double quantity = n == options_.partial ? order.quantity - order.cumulative : piece;
        if (quantity <= 0) continue;
        order.cumulative += quantity;
        order.notional += quantity * price->second;
        order.status = order.cumulative == order.quantity ? FIX::OrdStatus_FILLED : FIX::OrdStatus_PARTIALLY_FILLED;
        orders_[id] = order;
        if (!drop) send(report(id, order, FIX::ExecType_TRADE, quantity, price->second), session);
      }
    } else {
      order.status = ioc ? FIX::OrdStatus_CANCELED : FIX::OrdStatus_NEW;
      orders_[id] = order;
      if (!drop) send(report(id, order, ioc ? FIX::ExecType_CANCELED : FIX::ExecType_NEW, 0, 0), session);
    }
    if (drop) {
      dropped_ = true;
      std::cout << "dropping the connection after order " << id << std::endl;
      if (FIX::Session* live = FIX::Session::lookupSession(session)) live->disconnect();
    }
  }

  void cancel(const FIX::Message& message, const FIX::SessionID& session) {
    const std::string id = message.getField(FIX::FIELD::ClOrdID);
    const std::string original = message.getField(FIX::FIELD::OrigClOrdID);
    const auto known = orders_.find(original);
    if (known == orders_.end() || (known->second.status != FIX::OrdStatus_NEW &&
                                   known->second.status != FIX::OrdStatus_PARTIALLY_FILLED)) {
      FIX::Message reject;
      reject.getHeader().setField(FIX::MsgType(FIX::MsgType_OrderCancelReject));
      reject.setField(FIX::OrderID(known == orders_.end() ? "NONE" : "SIM-" + original));
      reject.setField(FIX::ClOrdID(id));
      reject.setField(FIX::OrigClOrdID(original));
      reject.setField(FIX::OrdStatus(known == orders_.end() ? FIX::OrdStatus_REJECTED : known->second.status));
      reject.setField(FIX::CxlRejResponseTo(FIX::CxlRejResponseTo_ORDER_CANCEL_REQUEST));
      reject.setField(FIX::CxlRejReason(known == orders_.end() ? FIX::CxlRejReason_UNKNOWN_ORDER
                                                              : FIX::CxlRejReason_TOO_LATE_TO_CANCEL));
      reject.setField(FIX::Text(known == orders_.end() ? "unknown order " + original : original + " is not working"));
      return send(reject, session);
    }
    Order& order = known->second;
    const double filled = std::min(static_cast<double>(options_.fill_before_cancel), order.quantity - order.cumulative);
    if (filled > 0) {  // the race a real venue has: a fill on its way while the cancel comes in
      const double price = prices_.at(order.symbol);
      order.cumulative += filled;
      order.notional += filled * price;
      order.status = FIX::OrdStatus_PARTIALLY_FILLED;
      send(report(original, order, FIX::ExecType_TRADE, filled, price), session);
    }
    order.status = FIX::OrdStatus_CANCELED;
    FIX44::ExecutionReport answer = report(id, known->second, FIX::ExecType_CANCELED, 0, 0);
    answer.set(FIX::OrigClOrdID(original));
    send(answer, session);
  }

  void order_status(const FIX::Message& message, const FIX::SessionID& session) {
    const std::string id = message.getField(FIX::FIELD::ClOrdID);
    const auto known = orders_.find(id);
    if (known == orders_.end()) {
      Order unknown;
      unknown.symbol = message.getField(FIX::FIELD::Symbol);
      unknown.side = message.getField(FIX::FIELD::Side)[0];
      unknown.status = FIX::OrdStatus_REJECTED;
      unknown.text = "unknown order " + id;
      FIX44::ExecutionReport answer = report(id, unknown, FIX::ExecType_ORDER_STATUS, 0, 0);
      answer.set(FIX::OrdRejReason(FIX::OrdRejReason_UNKNOWN_ORDER));
      return send(answer, session);
    }
    send(report(id, known->second, FIX::ExecType_ORDER_STATUS, 0, 0), session);
  }

  FIX44::ExecutionReport report(const std::string& id, const Order& order, char exec_type, double last_quantity,
                                double last_price) {
    const bool done = order.status != FIX::OrdStatus_NEW && order.status != FIX::OrdStatus_PARTIALLY_FILLED;
    FIX44::ExecutionReport report(FIX::OrderID("SIM-" + id), FIX::ExecID("SIM-EXEC-" + std::to_string(++executions_)),
                                  FIX::ExecType(exec_type), FIX::OrdStatus(order.status), FIX::Side(order.side),
                                  FIX::LeavesQty(done ? 0 : order.quantity - order.cumulative),
                                  FIX::CumQty(order.cumulative),
                                  FIX::AvgPx(order.cumulative > 0 ? order.notional / order.cumulative : 0));
    report.set(FIX::ClOrdID(id));
    report.set(FIX::Symbol(order.symbol));
    report.set(FIX::OrderQty(order.quantity));
    if (last_quantity > 0) {
      report.set(FIX::LastQty(last_quantity));
      report.set(FIX::LastPx(last_price));
    }
    if (!order.text.empty()) report.set(FIX::Text(order.text));
    return report;
  }

  static void send(FIX::Message message, const FIX::SessionID& session) { FIX::Session::sendToTarget(message, session); }

  Options options_;
  std::map<std::string, double> prices_;
  std::ofstream orders_log_;
  std::mutex mutex_;
  std::map<std::string, Order> orders_;
  long long received_ = 0;
  long long executions_ = 0;
  bool dropped_ = false;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--ack-first") {
      options.ack_first = true;
      continue;
    }
    if (i + 1 >= argc) throw std::runtime_error(flag + ": a value expected");
    const std::string value = argv[++i];
    if (flag == "--port") options.port = std::stoi(value);
    else if (flag == "--prices") options.prices_path = value;
    else if (flag == "--store") options.store = value;
    else if (flag == "--orders-log") options.orders_log = value;
    else if (flag == "--log") options.log = value;
    else if (flag == "--sender") options.sender = value;
    else if (flag == "--target") options.target = value;
    else if (flag == "--partial") options.partial = std::stoll(value);
    else if (flag == "--reject") options.reject = value;
    else if (flag == "--delay-ms") options.delay_ms = std::stoll(value);
    else if (flag == "--drop-after") options.drop_after = std::stoll(value);
    else if (flag == "--fill-before-cancel") options.fill_before_cancel = std::stoll(value);
    else throw std::runtime_error("unknown flag " + flag);
  }
  if (options.port <= 0 || options.prices_path.empty() || options.store.empty() || options.orders_log.empty()) {
    throw std::runtime_error("--port, --prices, --store and --orders-log are required");
  }
  if (options.partial < 1) throw std::runtime_error("--partial: 1 or more pieces");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse(argc, argv);
    std::ostringstream text;
    text << "[DEFAULT]\nConnectionType=acceptor\nStartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\n"
         << "SocketReuseAddress=Y\nFileStorePath=" << options.store << "\n"
         << (options.log.empty() ? "" : "FileLogPath=" + options.log + "\n") << "[SESSION]\nBeginString=FIX.4.4\n"
         << "SenderCompID=" << options.sender << "\nTargetCompID=" << options.target
         << "\nSocketAcceptPort=" << options.port << "\n";
    std::istringstream stream(text.str());
    const FIX::SessionSettings settings(stream);
    // Block the stop signals before QuickFIX starts its threads, so sigwait gets them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    Exchange exchange(options);
    FIX::FileStoreFactory store(settings);
    std::unique_ptr<FIX::FileLogFactory> log;
    std::unique_ptr<FIX::SocketAcceptor> acceptor;
    if (options.log.empty()) {
      acceptor.reset(new FIX::SocketAcceptor(exchange, store, settings));
    } else {
      log.reset(new FIX::FileLogFactory(settings));
      acceptor.reset(new FIX::SocketAcceptor(exchange, store, settings, *log));
    }
    acceptor->start();
    std::cout << "listening on port " << options.port << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
    acceptor->stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "order_engine_fix_simulator: " << error.what() << std::endl;
    return 1;
  }
}
