#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "order_engine/engine.hpp"
#include "scratch_dir.hpp"

namespace order_engine {
namespace {

using testing_support::read_file;
using testing_support::ScratchDir;
using testing_support::write_file;

NewOrder buy(const std::string& id, Quantity quantity, double price = 101.0) {
  return NewOrder{id, "AAPL", Side::Buy, OrderType::Limit, TimeInForce::Day, quantity, price};
}

class Recovery : public ::testing::Test {
 protected:
  /// A journalled engine on AAPL at 100 dollars (asks 101, 102, 103 with 99, 98, 97 shares).
  [[nodiscard]] std::unique_ptr<Engine> open_engine() const {
    EngineConfig config;
    config.liquidity = LiquidityProfile{3, 0.01, 10'000.0};
    config.journal_path = journal_path_;
    auto engine = std::make_unique<Engine>(config);
    engine->set_reference_price("AAPL", 100.0);
    return engine;
  }

  [[nodiscard]] std::size_t submits_of(const std::string& id) const {
    std::size_t count = 0;
    for (const JournalRecord& record : parse_journal(read_file(journal_path_), journal_path_)) {
      count += record.kind == RecordKind::Submit && record.client_order_id == id;
    }
    return count;
  }

  ScratchDir dir_;
  std::string journal_path_ = dir_.file("journal.log");
};

TEST_F(Recovery, ReplayRestoresPositionsAndTheIdsAlreadySent) {
  {
    auto engine = open_engine();
    ASSERT_EQ(engine->submit(buy("D1-AAPL-BUY-1", 120, 102.0)).status, OrderStatus::Filled);
    ASSERT_EQ(engine->submit(NewOrder{"D1-AAPL-SELL-1", "AAPL", Side::Sell, OrderType::Market, TimeInForce::Ioc, 20, 0})
                  .status,
              OrderStatus::Filled);
  }
  auto engine = open_engine();
  EXPECT_EQ(engine->position("AAPL"), 100);
  EXPECT_TRUE(engine->was_sent("D1-AAPL-BUY-1"));
  EXPECT_TRUE(engine->in_doubt_orders().empty());
  EXPECT_EQ(engine->submit(buy("D1-AAPL-BUY-1", 120, 102.0)).status, OrderStatus::Duplicate);
  EXPECT_EQ(engine->position("AAPL"), 100);
  EXPECT_EQ(submits_of("D1-AAPL-BUY-1"), 1U);
  EXPECT_DOUBLE_EQ(engine->gross_exposure(), 100 * 100.0);
}

TEST_F(Recovery, PositionsCarryOverToTheNextSession) {
  { ASSERT_EQ(open_engine()->submit(buy("D1-AAPL-BUY-1", 50)).status, OrderStatus::Filled); }
  {
    auto engine = open_engine();
    EXPECT_EQ(engine->submit(NewOrder{"D2-AAPL-SELL-1", "AAPL", Side::Sell, OrderType::Limit, TimeInForce::Ioc, 20, 99.0})
                  .status,
              OrderStatus::Filled);
  }
  EXPECT_EQ(open_engine()->position("AAPL"), 30);
}

TEST_F(Recovery, KeepsPositionsOfSymbolsWithoutAReferencePriceYet) {
  { ASSERT_EQ(open_engine()->submit(buy("D1-AAPL-BUY-1", 50)).status, OrderStatus::Filled); }
  EngineConfig config;
  config.journal_path = journal_path_;
  Engine engine(config);
  EXPECT_EQ(engine.positions().at("AAPL"), 50);
  EXPECT_THROW(static_cast<void>(engine.submit(buy("D2-AAPL-BUY-1", 1))), std::invalid_argument);
}

TEST_F(Recovery, ARejectedOrderIsRecordedButMaySendLater) {
  {
    auto engine = open_engine();
    engine->set_trading_state(TradingState::Halted);
    ASSERT_EQ(engine->submit(buy("D1-AAPL-BUY-1", 5)).status, OrderStatus::Rejected);
  }
  const auto records = parse_journal(read_file(journal_path_), journal_path_);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].kind, RecordKind::Reject);
  EXPECT_EQ(records[0].reason, RejectReason::TradingHalted);
  auto engine = open_engine();
  EXPECT_FALSE(engine->was_sent("D1-AAPL-BUY-1"));
  EXPECT_EQ(engine->submit(buy("D1-AAPL-BUY-1", 5)).status, OrderStatus::Filled);
}

TEST_F(Recovery, AnOrderJournalledWithoutAnAnswerIsInDoubtAndNeverResent) {
  {
    OrderJournal journal(journal_path_);
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
  auto engine = open_engine();
  ASSERT_EQ(engine->in_doubt_orders().size(), 1U);
  const OrderReport& doubt = engine->in_doubt_orders()[0];
  EXPECT_EQ(doubt.client_order_id, "D1-AAPL-BUY-1");
  EXPECT_EQ(doubt.status, OrderStatus::InDoubt);
  EXPECT_NE(doubt.message.find("reconcile it by hand"), std::string::npos) << doubt.message;
  EXPECT_EQ(engine->submit(buy("D1-AAPL-BUY-1", 10)).status, OrderStatus::Duplicate);
  EXPECT_EQ(engine->position("AAPL"), 0);
  EXPECT_TRUE(engine->reconcile().empty());  // the paper venue cannot tell: it stays in doubt
  EXPECT_EQ(engine->in_doubt_orders().size(), 1U);
}

TEST_F(Recovery, AnOrderRestingWhenTheRunEndedIsInDoubt) {
  { ASSERT_EQ(open_engine()->submit(buy("D1-AAPL-BUY-1", 10, 99.5)).status, OrderStatus::Resting); }
  auto engine = open_engine();
  ASSERT_EQ(engine->in_doubt_orders().size(), 1U);
  EXPECT_NE(engine->in_doubt_orders()[0].message.find("RESTING when the run ended"), std::string::npos);
}

TEST_F(Recovery, ExpiredDayOrdersAreSettled) {
  {
    auto engine = open_engine();
    ASSERT_EQ(engine->submit(buy("D1-AAPL-BUY-1", 10, 99.5)).status, OrderStatus::Resting);
    ASSERT_EQ(engine->end_of_day().size(), 1U);
  }
  EXPECT_TRUE(open_engine()->in_doubt_orders().empty());
}

// A real process killed (SIGKILL) after the journal write and before the send.
TEST_F(Recovery, AProcessKilledBetweenJournalAndVenueNeverSendsTheOrderTwice) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setenv(kKillBeforeSendEnv, "D1-AAPL-BUY-2", 1);
    try {
      auto engine = open_engine();
      static_cast<void>(engine->submit(buy("D1-AAPL-BUY-1", 10)));
      static_cast<void>(engine->submit(buy("D1-AAPL-BUY-2", 20)));
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);  // not reached: the engine killed the process
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited normally with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  auto engine = open_engine();
  EXPECT_EQ(engine->position("AAPL"), 10);  // the first order's fill only
  ASSERT_EQ(engine->in_doubt_orders().size(), 1U);
  EXPECT_EQ(engine->in_doubt_orders()[0].client_order_id, "D1-AAPL-BUY-2");
  EXPECT_EQ(engine->submit(buy("D1-AAPL-BUY-2", 20)).status, OrderStatus::Duplicate);
  // Had the venue filled the order in doubt, another buy would double the position.
  const OrderReport blocked = engine->submit(buy("D2-AAPL-BUY-1", 5));
  EXPECT_EQ(blocked.status, OrderStatus::Rejected);
  EXPECT_EQ(blocked.reason, RejectReason::InDoubt);
  EXPECT_NE(blocked.message.find("order D1-AAPL-BUY-2 in AAPL is in doubt"), std::string::npos) << blocked.message;
  engine->set_reference_price("MSFT", 100.0);
  EXPECT_EQ(engine->submit(NewOrder{"D2-MSFT-BUY-1", "MSFT", Side::Buy, OrderType::Limit, TimeInForce::Day, 5, 101.0})
                .status,
            OrderStatus::Filled);  // other symbols trade
  EXPECT_EQ(submits_of("D1-AAPL-BUY-2"), 1U);
  EXPECT_EQ(submits_of("D2-AAPL-BUY-1"), 0U);
  EXPECT_EQ(engine->position("AAPL"), 10);
}

TEST_F(Recovery, AResolvedOrderMovesThePositionUnblocksItsSymbolAndSurvivesReopening) {
  { ASSERT_EQ(open_engine()->submit(buy("D1-AAPL-BUY-1", 10, 99.5)).status, OrderStatus::Resting); }
  {
    auto engine = open_engine();
    ASSERT_EQ(engine->in_doubt_orders().size(), 1U);
    EXPECT_THROW(static_cast<void>(engine->resolve("D1-AAPL-BUY-9", OrderStatus::Filled, 10, 99.5)),
                 std::invalid_argument);  // not in doubt
    EXPECT_THROW(static_cast<void>(engine->resolve("D1-AAPL-BUY-1", OrderStatus::Filled, 4, 99.5)),
                 std::invalid_argument);  // FILLED with shares missing
    EXPECT_THROW(static_cast<void>(engine->resolve("D1-AAPL-BUY-1", OrderStatus::Resting, 0, 0)),
                 std::invalid_argument);  // not a final state
    const OrderReport resolved = engine->resolve("D1-AAPL-BUY-1", OrderStatus::Expired, 4, 99.25);
    EXPECT_EQ(resolved.status, OrderStatus::Expired);
    EXPECT_EQ(resolved.filled_quantity, 4);
    EXPECT_TRUE(engine->in_doubt_orders().empty());
    EXPECT_EQ(engine->position("AAPL"), 4);
    EXPECT_EQ(engine->submit(buy("D2-AAPL-BUY-1", 6)).status, OrderStatus::Filled);
  }
  auto engine = open_engine();
  EXPECT_TRUE(engine->in_doubt_orders().empty());
  EXPECT_EQ(engine->position("AAPL"), 10);
  EXPECT_TRUE(engine->was_sent("D1-AAPL-BUY-1"));
}

TEST_F(Recovery, AnOrderTheVenueNeverTookResolvesRejectedWithNothingFilled) {
  { ASSERT_EQ(open_engine()->submit(buy("D1-AAPL-BUY-1", 10, 99.5)).status, OrderStatus::Resting); }
  {
    auto engine = open_engine();
    EXPECT_THROW(static_cast<void>(engine->resolve("D1-AAPL-BUY-1", OrderStatus::Rejected, 4, 99.5)),
                 std::invalid_argument);  // a rejected order filled nothing
    EXPECT_EQ(engine->resolve("D1-AAPL-BUY-1", OrderStatus::Rejected, 0, 0.0).status, OrderStatus::Rejected);
    EXPECT_TRUE(engine->in_doubt_orders().empty());
  }
  auto engine = open_engine();
  EXPECT_TRUE(engine->in_doubt_orders().empty());
  EXPECT_EQ(engine->position("AAPL"), 0);
  EXPECT_TRUE(engine->was_sent("D1-AAPL-BUY-1"));
}

TEST_F(Recovery, ADeletedJournalStopsTheEngineFromStartingAfresh) {
  { ASSERT_EQ(open_engine()->submit(buy("D1-AAPL-BUY-1", 10)).status, OrderStatus::Filled); }
  ASSERT_EQ(std::remove(journal_path_.c_str()), 0);  // its head file stays
  EXPECT_THROW(static_cast<void>(open_engine()), JournalCorrupted);  // would forget the id and resend
  EXPECT_THROW(static_cast<void>(read_journal(journal_path_)), JournalCorrupted);
}

TEST_F(Recovery, ADamagedJournalStopsTheEngineFromStarting) {
  { ASSERT_EQ(open_engine()->submit(buy("D1-AAPL-BUY-1", 10)).status, OrderStatus::Filled); }
  const std::string text = read_file(journal_path_);
  write_file(journal_path_, text.substr(0, text.size() - 3));
  EXPECT_THROW(static_cast<void>(open_engine()), JournalCorrupted);
}

TEST_F(Recovery, AJournalledEngineRefusesBatchesWithoutClientIds) {
  auto engine = open_engine();
  std::vector<std::uint8_t> codes;
  std::vector<Quantity> filled;
  EXPECT_THROW(engine->submit_batch({}, {}, {}, {}, {}, {}, codes, filled), std::logic_error);
}

}  // namespace
}  // namespace order_engine
