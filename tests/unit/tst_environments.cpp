// The classic control tasks of the DQN (seed 000's deep RL): steps against hand-computed values
// of the published equations, start states from (seed, episode), termination and truncation.
#include "core/common/param_error.hpp"
#include "core/rl/tasks.hpp"

#include <QtTest>

#include <cmath>

using namespace cbl;
using namespace cbl::rl;

namespace {

void compare_state(const std::vector<double>& got, const std::vector<double>& want) {
    QCOMPARE(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
        QVERIFY2(std::abs(got[i] - want[i]) < 1e-9, qPrintable(QString("entry %1: %2 vs %3")
                                                                   .arg(i)
                                                                   .arg(got[i], 0, 'g', 12)
                                                                   .arg(want[i], 0, 'g', 12)));
}

} // namespace

class TestEnvironments : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void cartPoleStepsAsPublished() {
        CartPole env;
        env.set_state({0, 0, 0, 0});
        // Push right from rest: x'' = F/M + m l theta''/M = 9.7561, theta'' = -14.6341 rad/s^2.
        QVERIFY(!env.step(1).done());
        compare_state(env.state(), {0, 0.19512195122, 0, -0.292682926829});
        env.step(0);
        compare_state(env.state(), {0.00390243902439, 0, -0.00585365853659, 0});
        env.set_state({0.01, -0.02, 0.03, 0.04});
        env.step(0);
        compare_state(env.state(), {0.0096, -0.215539017103, 0.0308, 0.341995223776});
    }
    void cartPoleEndsWhenThePoleFalls() {
        CartPole env;
        env.set_state({0, 0, 0.2, 1.0}); // 0.2 + 0.02 rad > 12 degrees after one step
        const StepResult r = env.step(1);
        QVERIFY(r.terminated && !r.truncated);
        QCOMPARE(r.reward, 1.0);
        env.set_state({2.39, 1.0, 0, 0});
        QVERIFY(env.step(1).terminated);
    }
    void cartPoleIsTruncatedAt500Steps() {
        // Held upright by alternating pushes it never falls within the limit.
        CartPole env;
        env.reset(1, 0);
        StepResult r;
        int steps = 0;
        while (!r.done()) {
            const auto s = env.state();
            r = env.step(s[2] + 0.5 * s[3] > 0 ? 1 : 0);
            ++steps;
        }
        QVERIFY(r.truncated && !r.terminated);
        QCOMPARE(steps, 500);
        QCOMPARE(env.steps(), 500);
    }
    void mountainCarStepsAsPublished() {
        MountainCar env;
        env.set_state({-0.5, 0});
        env.step(2);
        compare_state(env.state(), {-0.499176843004, 0.000823156995831});
        // The left wall stops the car.
        env.set_state({-1.19, -0.05});
        const StepResult r = env.step(0);
        compare_state(env.state(), {-1.2, 0});
        QCOMPARE(r.reward, -1.0);
        env.set_state({0.49, 0.02});
        QVERIFY(env.step(2).terminated);
    }
    void acrobotStepsAsPublished() {
        Acrobot env;
        env.set_state({0.1, -0.2, 0.3, -0.4});
        const StepResult r = env.step(2); // +1 N m
        compare_state(env.state(),
                      {0.128211631289, -0.211840321027, -0.023484731535, 0.286795214598});
        QCOMPARE(r.reward, -1.0);
        Eigen::VectorXf o(6);
        env.observe(o);
        QVERIFY(std::abs(o[0] - std::cos(0.128211631289)) < 1e-6);
        QVERIFY(std::abs(o[3] - std::sin(-0.211840321027)) < 1e-6);
        // Tip above the bar: both links pointing up.
        env.set_state({3.1, 0, 0, 0});
        const StepResult up = env.step(1);
        QVERIFY(up.terminated);
        QCOMPARE(up.reward, 0.0);
    }
    void startStatesComeFromSeedAndEpisode() {
        for (const std::string& name : environment_names()) {
            auto a = make_environment(name), b = make_environment(name);
            a->reset(7, 3);
            b->reset(7, 3);
            QCOMPARE(a->state(), b->state());
            b->reset(7, 4);
            QVERIFY(a->state() != b->state());
            b->reset(8, 3);
            QVERIFY(a->state() != b->state());
        }
        CartPole c;
        for (int e = 0; e < 50; ++e) {
            c.reset(1, std::uint64_t(e));
            for (double v : c.state())
                QVERIFY(std::abs(v) <= 0.05);
        }
        MountainCar m;
        m.reset(1, 0);
        QVERIFY(m.state()[0] >= -0.6 && m.state()[0] < -0.4 && m.state()[1] == 0);
    }
    void badInputIsNamed() {
        CartPole env;
        env.reset(1, 0);
        try {
            env.step(2);
            QFAIL("action 2 accepted");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("outside 0..1"));
        }
        try {
            make_environment("pong");
            QFAIL("unknown task accepted");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("cartpole"));
        }
    }
};

QTEST_GUILESS_MAIN(TestEnvironments)
#include "tst_environments.moc"
