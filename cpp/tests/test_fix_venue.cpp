// The FIX venue against order_engine_fix_simulator, a real QuickFIX acceptor run as a
// separate process on loopback, so a dropped connection is a real one.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "order_engine/engine.hpp"
#include "order_engine/fix_venue.hpp"
#include "scratch_dir.hpp"

namespace order_engine {
namespace {

using namespace std::chrono_literals;
using testing_support::read_file;
using testing_support::ScratchDir;
using testing_support::write_file;

/// A port nothing listens on now (the kernel's choice for port 0).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("free_port: bind failed");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

/// The simulator as a child process, stopped (SIGTERM) when it goes out of scope.
class Simulator {
 public:
  Simulator(int port, const ScratchDir& dir, std::vector<std::string> flags) {
    std::vector<std::string> args{ORDER_ENGINE_FIX_SIMULATOR, "--port",       std::to_string(port),
                                  "--prices",                 dir.file("prices.csv"), "--store",
                                  dir.file("simulator-store"), "--orders-log", dir.file("orders.log"),
                                  "--log",                    dir.file("simulator-log")};
    args.insert(args.end(), flags.begin(), flags.end());
    const std::string output = dir.file("simulator.out");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test leaves no simulator behind
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      if (std::freopen(output.c_str(), "a", stdout) == nullptr) std::_Exit(126);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
    for (int tries = 0; tries < 200 && !accepts(port); ++tries) std::this_thread::sleep_for(25ms);
    if (!accepts(port)) throw std::runtime_error("the FIX simulator did not listen on port " + std::to_string(port));
  }
  ~Simulator() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

 private:
  pid_t pid_ = -1;
};

NewOrder ioc(const std::string& id, const std::string& symbol, Side side, Quantity quantity, double limit) {
  return NewOrder{id, symbol, side, OrderType::Limit, TimeInForce::Ioc, quantity, limit};
}

class FixVenueTest : public ::testing::Test {
 protected:
  FixVenueTest() {
    write_file(dir_.file("prices.csv"), "AAPL,100\nMSFT,300\n");
    write_settings(settings_, port_, "N");
  }

  void write_settings(const std::string& path, int port, const std::string& persist) const {
    write_file(path, "[DEFAULT]\nConnectionType=initiator\nReconnectInterval=1\nHeartBtInt=30\n"
                     "StartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\nResetOnLogon=N\n"
                     "PersistMessages=" + persist + "\nFileStorePath=" + dir_.file("initiator-store") +
                     "\nFileLogPath=" + dir_.file("initiator-log") +
                     "\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=MOMENTUM\nTargetCompID=SIM\n"
                     "SocketConnectHost=127.0.0.1\nSocketConnectPort=" + std::to_string(port) + "\n");
  }

  [[nodiscard]] std::unique_ptr<Engine> open_engine(std::chrono::milliseconds answer_timeout = 5000ms) const {
    EngineConfig config;
    config.journal_path = dir_.file("journal.log");
    auto engine = std::make_unique<Engine>(config, std::make_unique<FixVenue>(FixVenueOptions{settings_, 5000ms, answer_timeout}));
    engine->set_reference_price("AAPL", 100.0);
    engine->set_reference_price("MSFT", 300.0);
    return engine;
  }

  [[nodiscard]] std::size_t received(const std::string& id) const {
    std::istringstream lines(read_file(dir_.file("orders.log")));
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line);) count += line == id;
    return count;
  }

  /// The next outgoing sequence number the initiator's store holds.
  [[nodiscard]] long sender_sequence() const {
    return std::stol(read_file(dir_.file("initiator-store/FIX.4.4-MOMENTUM-SIM.seqnums")));
  }

  ScratchDir dir_;
  int port_ = free_port();
  std::string settings_ = dir_.file("session.cfg");
};

TEST_F(FixVenueTest, OrdersAreFilledAtTheVenueAndPositionsEqualTheFills) {
  Simulator simulator(port_, dir_, {});
  auto engine = open_engine();
  const OrderReport bought = engine->submit(ioc("D1-AAPL-BUY-1", "AAPL", Side::Buy, 100, 101.0));
  EXPECT_EQ(bought.status, OrderStatus::Filled) << bought.message;
  EXPECT_EQ(bought.filled_quantity, 100);
  EXPECT_DOUBLE_EQ(bought.average_price, 100.0);
  const OrderReport sold = engine->submit(ioc("D1-AAPL-SELL-1", "AAPL", Side::Sell, 40, 99.0));
  EXPECT_EQ(sold.status, OrderStatus::Filled) << sold.message;
  const OrderReport missed = engine->submit(ioc("D1-MSFT-BUY-1", "MSFT", Side::Buy, 10, 290.0));
  EXPECT_EQ(missed.status, OrderStatus::Cancelled) << missed.message;  // below the venue's 300
  const OrderReport resting =
      engine->submit(NewOrder{"D1-MSFT-BUY-2", "MSFT", Side::Buy, OrderType::Limit, TimeInForce::Day, 10, 295.0});
  EXPECT_EQ(resting.status, OrderStatus::Resting) << resting.message;
  EXPECT_EQ(resting.leaves_quantity, 10);
  EXPECT_EQ(engine->position("AAPL"), 60);
  EXPECT_EQ(engine->position("MSFT"), 0);
  for (const char* id : {"D1-AAPL-BUY-1", "D1-AAPL-SELL-1", "D1-MSFT-BUY-1", "D1-MSFT-BUY-2"}) EXPECT_EQ(received(id), 1U) << id;
}

TEST_F(FixVenueTest, ADayOrderRestsAtTheVenueUntilTheEndOfDayCancelsIt) {
  Simulator simulator(port_, dir_, {});
  {
    auto engine = open_engine();
    const NewOrder bid{"D1-MSFT-BUY-1", "MSFT", Side::Buy, OrderType::Limit, TimeInForce::Day, 10, 295.0};
    ASSERT_EQ(engine->submit(bid).status, OrderStatus::Resting);
    const std::vector<OrderReport> expired = engine->end_of_day();
    ASSERT_EQ(expired.size(), 1U);
    EXPECT_EQ(expired[0].status, OrderStatus::Expired);
  }
  FixVenue venue(FixVenueOptions{settings_, 5000ms, 5000ms});
  const std::optional<VenueOrderState> state = venue.status(VenueOrder{0, 0, Side::Buy, 0, 10, false, "D1-MSFT-BUY-1", "MSFT"});
  ASSERT_TRUE(state && state->known);
  EXPECT_EQ(state->status, OrderStatus::Cancelled);
  try {
    static_cast<void>(venue.cancel(VenueOrder{0, 0, Side::Buy, 0, 10, true, "D1-MSFT-BUY-1", "MSFT"}));
    FAIL() << "cancelled an order twice";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("D1-MSFT-BUY-1 (BUY 10 MSFT): 127.0.0.1:" + std::to_string(port_) + " refused it"), std::string::npos)
        << error.what();
  }
}

TEST_F(FixVenueTest, AFillTheEngineNeverSawBeforeACancelLeavesTheOrderInDoubtUntilReconciled) {
  Simulator simulator(port_, dir_, {"--fill-before-cancel", "4"});
  {
    auto engine = open_engine();
    const NewOrder bid{"D1-MSFT-BUY-1", "MSFT", Side::Buy, OrderType::Limit, TimeInForce::Day, 10, 295.0};
    ASSERT_EQ(engine->submit(bid).status, OrderStatus::Resting);
    const std::vector<OrderReport> closed = engine->end_of_day();
    ASSERT_EQ(closed.size(), 1U);
    EXPECT_EQ(closed[0].status, OrderStatus::InDoubt);
    EXPECT_NE(closed[0].message.find("had filled 4 more shares"), std::string::npos) << closed[0].message;
    EXPECT_EQ(engine->in_doubt_orders().size(), 1U);
    EXPECT_EQ(engine->position("MSFT"), 0);
  }
  auto engine = open_engine();
  const std::vector<OrderReport> resolved = engine->reconcile();
  ASSERT_EQ(resolved.size(), 1U);
  EXPECT_EQ(resolved[0].status, OrderStatus::Cancelled);
  EXPECT_EQ(resolved[0].filled_quantity, 4);
  EXPECT_DOUBLE_EQ(resolved[0].average_price, 300.0);
  EXPECT_EQ(engine->position("MSFT"), 4);
}

TEST_F(FixVenueTest, PartialFillsAccumulate) {
  Simulator simulator(port_, dir_, {"--partial", "3"});
  auto engine = open_engine();
  const OrderReport report = engine->submit(ioc("D1-AAPL-BUY-1", "AAPL", Side::Buy, 100, 101.0));
  EXPECT_EQ(report.status, OrderStatus::Filled) << report.message;
  ASSERT_EQ(report.fills.size(), 3U);
  EXPECT_EQ(report.fills[0].quantity, 33);
  EXPECT_EQ(report.fills[2].quantity, 34);
  EXPECT_EQ(engine->position("AAPL"), 100);
}

TEST_F(FixVenueTest, AVenueRejectIsRejectedAndDoesNotBlockTheSymbol) {
  Simulator simulator(port_, dir_, {"--reject", "MSFT"});
  {
    auto engine = open_engine();
    const OrderReport report = engine->submit(ioc("D1-MSFT-BUY-1", "MSFT", Side::Buy, 10, 301.0));
    EXPECT_EQ(report.status, OrderStatus::Rejected);
    EXPECT_NE(report.message.find("MSFT is not traded here"), std::string::npos) << report.message;
    EXPECT_TRUE(engine->in_doubt_orders().empty());
    EXPECT_EQ(engine->submit(ioc("D1-AAPL-BUY-1", "AAPL", Side::Buy, 10, 101.0)).status, OrderStatus::Filled);
  }
  auto engine = open_engine();  // the journal says REJECTED: final, not in doubt
  EXPECT_TRUE(engine->in_doubt_orders().empty());
  EXPECT_TRUE(engine->was_sent("D1-MSFT-BUY-1"));
  EXPECT_EQ(engine->position("MSFT"), 0);
}

TEST_F(FixVenueTest, ADroppedSessionLeavesTheOrderInDoubtUntilReconcileAsksTheVenue) {
  Simulator simulator(port_, dir_, {"--drop-after", "2"});
  {
    auto engine = open_engine();
    ASSERT_EQ(engine->submit(ioc("D1-AAPL-BUY-1", "AAPL", Side::Buy, 100, 101.0)).status, OrderStatus::Filled);
    const OrderReport dropped = engine->submit(ioc("D1-AAPL-BUY-2", "AAPL", Side::Buy, 50, 101.0));
    EXPECT_EQ(dropped.status, OrderStatus::InDoubt);
    EXPECT_NE(dropped.message.find("127.0.0.1:" + std::to_string(port_) + " dropped"), std::string::npos)
        << dropped.message;
    const OrderReport blocked = engine->submit(ioc("D1-AAPL-BUY-3", "AAPL", Side::Buy, 10, 101.0));
    EXPECT_EQ(blocked.reason, RejectReason::InDoubt) << blocked.message;
    EXPECT_EQ(engine->position("AAPL"), 100);
    // Another symbol trades once the session is back (QuickFIX reconnects).
    const OrderReport other = engine->submit(ioc("D1-MSFT-BUY-1", "MSFT", Side::Buy, 10, 301.0));
    EXPECT_EQ(other.status, OrderStatus::Filled) << other.message;
  }
  auto engine = open_engine();
  ASSERT_EQ(engine->in_doubt_orders().size(), 1U);
  const std::vector<OrderReport> resolved = engine->reconcile();
  ASSERT_EQ(resolved.size(), 1U);
  EXPECT_EQ(resolved[0].client_order_id, "D1-AAPL-BUY-2");
  EXPECT_EQ(resolved[0].status, OrderStatus::Filled);
  EXPECT_EQ(resolved[0].filled_quantity, 50);
  EXPECT_DOUBLE_EQ(resolved[0].average_price, 100.0);
  EXPECT_EQ(engine->position("AAPL"), 150);
  EXPECT_EQ(engine->position("MSFT"), 10);
  EXPECT_EQ(engine->submit(ioc("D1-AAPL-BUY-4", "AAPL", Side::Buy, 10, 101.0)).status, OrderStatus::Filled);
  EXPECT_EQ(received("D1-AAPL-BUY-2"), 1U);
  EXPECT_EQ(received("D1-AAPL-BUY-3"), 0U);
}

TEST_F(FixVenueTest, ASlowAnswerLeavesTheOrderInDoubtAndTheVenuesFillIsBookedLater) {
  Simulator simulator(port_, dir_, {"--delay-ms", "1500"});
  {
    auto engine = open_engine(300ms);
    const OrderReport late = engine->submit(ioc("D1-AAPL-BUY-1", "AAPL", Side::Buy, 20, 101.0));
    EXPECT_EQ(late.status, OrderStatus::InDoubt);
    EXPECT_NE(late.message.find("within 300 ms"), std::string::npos) << late.message;
  }
  auto engine = open_engine();
  const std::vector<OrderReport> resolved = engine->reconcile();
  ASSERT_EQ(resolved.size(), 1U);
  EXPECT_EQ(resolved[0].status, OrderStatus::Filled);
  EXPECT_EQ(engine->position("AAPL"), 20);
  EXPECT_EQ(received("D1-AAPL-BUY-1"), 1U);
}

TEST_F(FixVenueTest, AnOrderTheVenueNeverReceivedIsResolvedRejectedAndNeverResent) {
  {
    OrderJournal journal(dir_.file("journal.log"));  // as if the process died before sending it
    JournalRecord submit;
    submit.kind = RecordKind::Submit;
    submit.client_order_id = "D1-AAPL-BUY-1";
    submit.symbol = "AAPL";
    submit.quantity = 10;
    submit.price = 101 * kTicksPerDollar;
    submit.reference = 100 * kTicksPerDollar;
    journal.append(submit);
    journal.commit();
  }
  Simulator simulator(port_, dir_, {});
  auto engine = open_engine();
  const std::vector<OrderReport> resolved = engine->reconcile();
  ASSERT_EQ(resolved.size(), 1U);
  EXPECT_EQ(resolved[0].status, OrderStatus::Rejected);
  EXPECT_EQ(resolved[0].filled_quantity, 0);
  EXPECT_TRUE(engine->in_doubt_orders().empty());
  EXPECT_EQ(engine->submit(ioc("D1-AAPL-BUY-2", "AAPL", Side::Buy, 10, 101.0)).status, OrderStatus::Filled);
  EXPECT_EQ(received("D1-AAPL-BUY-1"), 0U);
}

TEST_F(FixVenueTest, SequenceNumbersPersistAcrossRestartsOfBothSides) {
  {
    Simulator simulator(port_, dir_, {});
    auto engine = open_engine();
    ASSERT_EQ(engine->submit(ioc("D1-AAPL-BUY-1", "AAPL", Side::Buy, 10, 101.0)).status, OrderStatus::Filled);
  }
  const long after_first = sender_sequence();
  EXPECT_GT(after_first, 3);  // logon, order, logout: no reset to 1
  Simulator simulator(port_, dir_, {});
  auto engine = open_engine();
  EXPECT_EQ(engine->submit(ioc("D1-AAPL-BUY-2", "AAPL", Side::Buy, 10, 101.0)).status, OrderStatus::Filled);
  EXPECT_GT(sender_sequence(), after_first);
}

TEST_F(FixVenueTest, TheLogonCarriesTheCredentialsButNoFileOfOursHoldsThem) {
  ::setenv("MOMENTUM_FIX_USERNAME", "trader7", 1);
  ::setenv("MOMENTUM_FIX_PASSWORD", "s3cret-pw", 1);
  {
    Simulator simulator(port_, dir_, {});
    auto engine = open_engine();
    EXPECT_EQ(engine->submit(ioc("D1-AAPL-BUY-1", "AAPL", Side::Buy, 10, 101.0)).status, OrderStatus::Filled);
  }
  ::unsetenv("MOMENTUM_FIX_USERNAME");
  ::unsetenv("MOMENTUM_FIX_PASSWORD");
  std::string simulator_log;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir_.file("simulator-log"))) {
    simulator_log += read_file(file.path().string());
  }
  EXPECT_NE(simulator_log.find("554=s3cret-pw"), std::string::npos);  // the venue got it
  std::string ours;
  for (const char* folder : {"initiator-log", "initiator-store"}) {
    for (const auto& file : std::filesystem::recursive_directory_iterator(dir_.file(folder))) {
      ours += read_file(file.path().string());
    }
  }
  EXPECT_EQ(ours.find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(ours.find("trader7"), std::string::npos);
  EXPECT_NE(ours.find("554=***"), std::string::npos);
}

TEST_F(FixVenueTest, ThePasswordMayComeFromAFileNamedInTheEnvironment) {
  write_file(dir_.file("password"), "from-a-file\n");
  ::setenv("MOMENTUM_FIX_PASSWORD_FILE", dir_.file("password").c_str(), 1);
  {
    Simulator simulator(port_, dir_, {});
    FixVenue venue(FixVenueOptions{settings_, 5000ms, 5000ms});
  }
  ::setenv("MOMENTUM_FIX_PASSWORD_FILE", dir_.file("no-such-file").c_str(), 1);
  try {
    FixVenue venue(FixVenueOptions{settings_, 300ms, 300ms});
    FAIL() << "logged on without the password file";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("MOMENTUM_FIX_PASSWORD_FILE=" + dir_.file("no-such-file")),
              std::string::npos) << error.what();
  }
  ::unsetenv("MOMENTUM_FIX_PASSWORD_FILE");
  std::string simulator_log;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir_.file("simulator-log"))) {
    simulator_log += read_file(file.path().string());
  }
  EXPECT_NE(simulator_log.find("554=from-a-file\x01"), std::string::npos);
}

TEST_F(FixVenueTest, ASecondVenueOnTheSameSessionIsRefused) {
  Simulator simulator(port_, dir_, {});
  FixVenue first(FixVenueOptions{settings_, 5000ms, 5000ms});
  try {
    FixVenue second(FixVenueOptions{settings_, 300ms, 300ms});
    FAIL() << "opened the session twice";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("FIX.4.4:MOMENTUM->SIM is already open"), std::string::npos)
        << error.what();
  }
}

TEST_F(FixVenueTest, NoLogonInTimeNamesTheCounterparty) {
  try {
    FixVenue venue(FixVenueOptions{settings_, 300ms, 300ms});
    FAIL() << "logged on to nothing";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << error.what();
  }
}

TEST_F(FixVenueTest, ABadSettingsFileIsNamed) {
  write_file(settings_, "[DEFAULT]\nConnectionType=initiator\nPersistMessages=N\n[SESSION]\nBeginString=FIX.4.4\n"
                        "SenderCompID=MOMENTUM\nTargetCompID=SIM\nSocketConnectHost=127.0.0.1\nSocketConnectPort=1\n");
  try {
    FixVenue venue(FixVenueOptions{settings_, 300ms, 300ms});
    FAIL() << "accepted settings without HeartBtInt";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("FIX settings " + settings_), std::string::npos) << error.what();
  }
}

TEST_F(FixVenueTest, SettingsThatWouldStoreOrdersForResendAreRefused) {
  write_settings(settings_, port_, "Y");
  try {
    FixVenue venue(FixVenueOptions{settings_, 300ms, 300ms});
    FAIL() << "accepted PersistMessages=Y";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("PersistMessages=N"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace order_engine
