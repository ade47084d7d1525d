// Deep-RL runs as sessions (issue 16): a DQN run with its Q-network in RRAM, saved between
// episodes (RlRun::state, save_session), loaded and played on, is the run that never stopped; a
// damaged state is refused naming the array.
#include "core/experiment/divergence.hpp"
#include "core/experiment/rl_run.hpp"
#include "core/session/session_file.hpp"

#include <QTemporaryDir>
#include <QtTest>

using namespace cbl;

class TestRlSession : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void runRoundTripsAndContinuesExactly() {
        QTemporaryDir dir;
        const auto path = [&](const char* name) { return dir.filePath(name).toStdString(); };
        ExperimentConfig c = load_preset("time-rram-dqn");
        c.rl.episodes = 24;
        c.rl.warmup_steps = 100;
        c.rl.target_update_steps = 50; // a target refresh falls inside each half
        RlRun whole(c);
        while (!whole.finished())
            whole.run_episode();
        RlRun first(c);
        for (int i = 0; i < 12; ++i)
            first.run_episode();
        const ExperimentState saved = first.state();
        QCOMPARE(saved.step, first.agent().environment_steps()); // the run's clock
        save_session(path("dqn.h5"), saved, {});
        const ExperimentState loaded = load_session(path("dqn.h5"));
        QCOMPARE(loaded.config, saved.config);
        QVERIFY(loaded.arrays == saved.arrays);
        RlRun second(loaded);
        QCOMPARE(second.agent().episode_rewards().size(), std::size_t(12));
        while (!second.finished())
            second.run_episode();
        const rl::DqnAgent &a = whole.agent(), &b = second.agent();
        QCOMPARE(b.episode_rewards(), a.episode_rewards());
        QCOMPARE(b.environment_steps(), a.environment_steps());
        QCOMPARE(b.learning_steps(), a.learning_steps());
        QVERIFY(a.learning_steps() > 100);
        QCOMPARE(second.device_updates(), whole.device_updates());
        for (int k = 0; k < a.network().weight_count(); ++k)
            QVERIFY(b.network().weight_layer(k).weights() == a.network().weight_layer(k).weights());

        // Checked like a supervised state: a replay memory of the wrong size is named.
        ExperimentState bad = saved;
        bad.arrays["rl/replay/reward"].data = std::vector<double>(3);
        bad.arrays["rl/replay/reward"].shape = {3};
        save_session(path("bad.h5"), bad, {});
        try {
            load_session(path("bad.h5"));
            QFAIL("a replay memory of the wrong size loaded");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("rl/replay/reward") != std::string::npos, e.what());
        }
        // A step that is not the environment steps is named; 0 (files of earlier builds) loads.
        ExperimentState clock = saved;
        clock.step += 1;
        save_session(path("clock.h5"), clock, {});
        try {
            load_session(path("clock.h5"));
            QFAIL("a step other than rl/counters[0] loaded");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("rl/counters[0]") != std::string::npos, e.what());
        }
        clock.step = 0;
        save_session(path("old.h5"), clock, {});
        QCOMPARE(RlRun(load_session(path("old.h5"))).agent().environment_steps(),
                 first.agent().environment_steps());
    }

    void divergedRunIsNotSaved() {
        // Plain SGD at rate 100 makes the Q-network's weights non-finite within a few dozen
        // episodes: the run stops and its state, having no last good one, is refused.
        ExperimentConfig c = load_preset("fp32-dqn");
        c.rl.episodes = 100;
        c.rl.warmup_steps = 100;
        c.training.optimizer.type = "sgd";
        c.training.optimizer.learning_rate = 100;
        RlRun run(c);
        bool diverged = false;
        try {
            while (!run.finished())
                run.run_episode();
        } catch (const Diverged&) {
            diverged = true;
        }
        QVERIFY(diverged);
        QVERIFY(!run.divergence().empty());
        QVERIFY_THROWS_EXCEPTION(Diverged, run.state());
    }
};

QTEST_GUILESS_MAIN(TestRlSession)
#include "tst_rl_session.moc"
