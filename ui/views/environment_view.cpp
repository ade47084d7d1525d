#include "ui/views/environment_view.hpp"

#include "core/rl/tasks.hpp"

#include <QChart>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QTextDocumentFragment>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cbl::ui {

namespace {

const QColor kInk(40, 40, 40);
const QColor kCart(33, 102, 172);
const QColor kPole(214, 96, 77);
const QColor kLimit(150, 150, 150);

/// Maps world coordinates [m] (y up) into `r` with equal scales on both axes, the world box
/// [x0, x1] x [y0, y1] centred.
struct WorldToScreen {
    WorldToScreen(QRectF r, double x0, double x1, double y0, double y1) {
        scale = std::min(r.width() / (x1 - x0), r.height() / (y1 - y0));
        ox = r.center().x() - scale * (x0 + x1) / 2;
        oy = r.center().y() + scale * (y0 + y1) / 2;
    }
    QPointF operator()(double x, double y) const { return {ox + scale * x, oy - scale * y}; }
    double scale, ox, oy;
};

} // namespace

QStringList action_names(const std::string& environment) {
    if (environment == "cartpole") return {"push left", "push right"};
    if (environment == "mountaincar") return {"push left", "no push", "push right"};
    if (environment == "acrobot") return {"torque −1 N·m", "no torque", "torque +1 N·m"};
    return {};
}

EnvironmentCanvas::EnvironmentCanvas(QWidget* parent) : QWidget(parent) {
    setMinimumSize(240, 150);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void EnvironmentCanvas::setState(const RlPicture& p) {
    environment_ = p.environment;
    state_ = p.state;
    update();
}

void EnvironmentCanvas::paintEvent(QPaintEvent*) {
    QPainter g(this);
    g.setRenderHint(QPainter::Antialiasing);
    g.fillRect(rect(), palette().base());
    const QRectF r = QRectF(rect()).adjusted(8, 8, -8, -8);
    if (environment_ == "cartpole" && state_.size() == 4)
        drawCartPole(g, r);
    else if (environment_ == "mountaincar" && state_.size() == 2)
        drawMountainCar(g, r);
    else if (environment_ == "acrobot" && state_.size() == 4)
        drawAcrobot(g, r);
    else {
        g.setPen(palette().color(QPalette::PlaceholderText));
        g.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   "Load a deep-RL preset (fp32-dqn, time-rram-dqn) to watch its task here");
    }
}

void EnvironmentCanvas::drawCartPole(QPainter& g, QRectF r) const {
    using rl::CartPole;
    // State (Barto et al. 1983): x [m], x', theta [rad, 0 upright, positive leans right], theta'.
    const double x = state_[0], theta = state_[2];
    const double pole = 2 * CartPole::half_length;
    const WorldToScreen w(r, -CartPole::x_limit - 0.4, CartPole::x_limit + 0.4, -0.5, pole + 0.3);
    g.setPen(QPen(kInk, 2));
    g.drawLine(w(-CartPole::x_limit - 0.4, 0), w(CartPole::x_limit + 0.4, 0));
    // The track's ends: the episode ends when the cart passes them.
    g.setPen(QPen(kLimit, 1.5, Qt::DashLine));
    for (double edge : {-CartPole::x_limit, CartPole::x_limit})
        g.drawLine(w(edge, -0.3), w(edge, pole));
    const double cart_w = 0.5, cart_h = 0.3;
    g.setPen(Qt::NoPen);
    g.setBrush(kCart);
    g.drawRoundedRect(QRectF(w(x - cart_w / 2, cart_h), w(x + cart_w / 2, 0)), 3, 3);
    const QPointF hinge = w(x, cart_h);
    const QPointF tip = w(x + pole * std::sin(theta), cart_h + pole * std::cos(theta));
    g.setPen(QPen(std::abs(theta) > CartPole::theta_limit ? Qt::red : kPole, 0.08 * w.scale,
                  Qt::SolidLine, Qt::RoundCap));
    g.drawLine(hinge, tip);
    g.setPen(Qt::NoPen);
    g.setBrush(kInk);
    g.drawEllipse(hinge, 4, 4);
    g.setPen(palette().color(QPalette::Text));
    g.drawText(r, Qt::AlignTop | Qt::AlignLeft,
               QString("x = %1 m · θ = %2°").arg(x, 0, 'f', 2).arg(theta * 180 / M_PI, 0, 'f', 1));
}

void EnvironmentCanvas::drawMountainCar(QPainter& g, QRectF r) const {
    using rl::MountainCar;
    // The valley as Moore (1990) defines it: height ~ sin(3 x); drawn at 0.45 sin(3x) + 0.55.
    const auto height = [](double p) { return 0.45 * std::sin(3 * p) + 0.55; };
    const WorldToScreen w(r, MountainCar::min_position - 0.05, MountainCar::max_position + 0.05,
                          -0.05, 1.15);
    QPainterPath hill;
    for (int i = 0; i <= 100; ++i) {
        const double p = MountainCar::min_position +
                         (MountainCar::max_position - MountainCar::min_position) * i / 100.0;
        i == 0 ? hill.moveTo(w(p, height(p))) : hill.lineTo(w(p, height(p)));
    }
    g.setPen(QPen(kInk, 2));
    g.drawPath(hill);
    // The goal flag.
    const double goal = MountainCar::goal_position;
    g.setPen(QPen(kInk, 1.5));
    g.drawLine(w(goal, height(goal)), w(goal, height(goal) + 0.15));
    g.setBrush(QColor(240, 200, 0));
    g.setPen(Qt::NoPen);
    g.drawPolygon(QPolygonF({w(goal, height(goal) + 0.15), w(goal + 0.08, height(goal) + 0.12),
                             w(goal, height(goal) + 0.09)}));
    const double p = state_[0];
    g.setBrush(kCart);
    const QPointF c = w(p, height(p) + 0.04);
    g.drawEllipse(c, 0.05 * w.scale, 0.05 * w.scale);
    g.setPen(palette().color(QPalette::Text));
    g.drawText(r, Qt::AlignTop | Qt::AlignLeft,
               QString("position %1 · velocity %2").arg(p, 0, 'f', 3).arg(state_[1], 0, 'f', 4));
}

void EnvironmentCanvas::drawAcrobot(QPainter& g, QRectF r) const {
    using rl::Acrobot;
    // Angles (Sutton 1996): theta1 from straight down, theta2 relative to the first link.
    const double t1 = state_[0], t2 = state_[1], l = Acrobot::link_length;
    const WorldToScreen w(r, -2.2 * l, 2.2 * l, -2.2 * l, 2.2 * l);
    // The task ends when the tip rises one link length above the pivot.
    g.setPen(QPen(kLimit, 1.5, Qt::DashLine));
    g.drawLine(w(-2.2 * l, l), w(2.2 * l, l));
    const QPointF pivot = w(0, 0);
    const double x1 = l * std::sin(t1), y1 = -l * std::cos(t1);
    const QPointF elbow = w(x1, y1);
    const QPointF tip = w(x1 + l * std::sin(t1 + t2), y1 - l * std::cos(t1 + t2));
    g.setPen(QPen(kCart, 0.1 * w.scale, Qt::SolidLine, Qt::RoundCap));
    g.drawLine(pivot, elbow);
    g.setPen(QPen(kPole, 0.1 * w.scale, Qt::SolidLine, Qt::RoundCap));
    g.drawLine(elbow, tip);
    g.setPen(Qt::NoPen);
    g.setBrush(kInk);
    g.drawEllipse(pivot, 4, 4);
    g.drawEllipse(elbow, 3, 3);
    g.setPen(palette().color(QPalette::Text));
    g.drawText(r, Qt::AlignTop | Qt::AlignLeft,
               QString("θ1 = %1° · θ2 = %2°")
                   .arg(std::remainder(t1, 2 * M_PI) * 180 / M_PI, 0, 'f', 0)
                   .arg(std::remainder(t2, 2 * M_PI) * 180 / M_PI, 0, 'f', 0));
}

EnvironmentView::EnvironmentView(QWidget* parent) : QWidget(parent) {
    canvas_ = new EnvironmentCanvas;
    canvas_->setToolTip("The control task as the agent plays it, drawn from its physical state "
                        "between training steps");
    status_ = new QLabel;
    status_->setWordWrap(true);
    q_ = new QLabel;
    q_->setWordWrap(true);
    q_->setToolTip("The Q-network's estimate of the discounted reward to come for each action in "
                   "the state drawn above (an inference read of the network in its tiles); the "
                   "agent takes the largest unless it explores");

    rewardView_ = new ChartView("Reward per episode");
    QChart* chart = rewardView_->chart();
    reward_ = new QLineSeries;
    reward_->setName("episode");
    reward_->setColor(QColor(160, 190, 220));
    mean_ = new QLineSeries;
    mean_->setName("mean of 100");
    style_series(mean_, kCart, 2.5);
    goal_ = new QLineSeries;
    goal_->setName("solved");
    style_series(goal_, QColor(0, 140, 70), 1.5, Qt::DashLine);
    x_ = new QValueAxis;
    x_->setTitleText("episode");
    x_->setLabelFormat("%d");
    y_ = new QValueAxis;
    y_->setTitleText("reward");
    y_->setLabelFormat("%.0f");
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    for (QLineSeries* s : {reward_, mean_, goal_}) {
        chart->addSeries(s);
        s->attachAxis(x_);
        s->attachAxis(y_);
    }
    rewardView_->drawLegendAsLines();
    rewardView_->setPlaceholder("Rewards appear as episodes finish");
    rewardView_->setToolTip("Total reward of each episode (light), its moving average over 100 "
                            "episodes (bold) and the mean reward that counts the task as solved "
                            "(dashed, rl.stop_at_mean_reward)");

    auto* top = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    left->addWidget(canvas_, 1);
    left->addWidget(status_);
    left->addWidget(q_);
    top->addLayout(left, 2);
    top->addWidget(rewardView_, 3);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->addLayout(top);
    status_->setText("No deep-RL run: choose fp32-dqn or time-rram-dqn in Experiment.");
}

int EnvironmentView::rewardPoints() const {
    return int(reward_->count());
}

QString EnvironmentView::statusText() const {
    return QTextDocumentFragment::fromHtml(status_->text() + "<br>" + q_->text()).toPlainText();
}

void EnvironmentView::showSnapshot(const SnapshotPtr& s) {
    if (!s->rl) {
        if (drawnEpisodes_ || reward_->count()) {
            reward_->clear();
            mean_->clear();
            goal_->clear();
            drawnEpisodes_ = 0;
        }
        canvas_->setState({});
        status_->setText("No deep-RL run: choose fp32-dqn or time-rram-dqn in Experiment.");
        q_->clear();
        return;
    }
    const RlPicture& p = *s->rl;
    canvas_->setState(p);
    const QLocale loc;
    const int episodes = int(p.episode_rewards.size());
    QString status =
        QString("Episode <b>%1</b> of %2 · step %3 of %4 · reward so far %5")
            .arg(loc.toString(s->finished ? episodes : std::min(episodes + 1, p.episode_budget)))
            .arg(loc.toString(p.episode_budget))
            .arg(p.episode_steps)
            .arg(s->epoch_size)
            .arg(p.episode_reward, 0, 'f', 0);
    status += QString("<br>Mean reward of the last 100 episodes <b>%1</b>")
                  .arg(p.mean_reward_100, 0, 'f', 1);
    if (p.stop_reward != 0) status += QString(" (solved at %1)").arg(p.stop_reward, 0, 'f', 0);
    status += QString(" · %1 environment steps, %2 learning steps")
                  .arg(loc.toString(qulonglong(p.environment_steps)))
                  .arg(loc.toString(qulonglong(p.learning_steps)));
    status_->setText(status);
    const QStringList names = action_names(p.environment);
    QStringList parts;
    int best = 0;
    for (int a = 0; a < int(p.q_values.size()); ++a) {
        if (p.q_values[a] > p.q_values[best]) best = a;
        parts.append(QString("%1 %2").arg(a < names.size() ? names[a] : QString::number(a),
                                          QString::number(p.q_values[a], 'f', 2)));
    }
    q_->setText(parts.isEmpty()
                    ? QString()
                    : QString("Q-values of this state: %1 → greedy: <b>%2</b>")
                          .arg(parts.join(" · "),
                               best < names.size() ? names[best] : QString::number(best)));

    // The reward curves grow by the episodes finished since the last snapshot (all again after
    // a Reset or a newly opened run).
    if (std::size_t(episodes) < drawnEpisodes_) {
        reward_->clear();
        mean_->clear();
        drawnEpisodes_ = 0;
    }
    QList<QPointF> rewards, means;
    for (std::size_t i = drawnEpisodes_; i < p.episode_rewards.size(); ++i) {
        rewards.append({double(i + 1), p.episode_rewards[i]});
        const std::size_t from = i + 1 > 100 ? i + 1 - 100 : 0;
        const double sum = std::accumulate(p.episode_rewards.begin() + std::ptrdiff_t(from),
                                           p.episode_rewards.begin() + std::ptrdiff_t(i + 1), 0.0);
        means.append({double(i + 1), sum / double(i + 1 - from)});
    }
    if (!rewards.isEmpty()) {
        reward_->append(rewards);
        mean_->append(means);
    }
    drawnEpisodes_ = p.episode_rewards.size();
    rewardView_->setPlaceholder(episodes ? QString() : "Rewards appear as episodes finish");
    const double x_max = std::max(10.0, double(episodes));
    set_nice_range(x_, 0, x_max, 5, true, false, 1);
    double lo = 0, hi = 1;
    if (episodes) {
        const auto [mn, mx] =
            std::minmax_element(p.episode_rewards.begin(), p.episode_rewards.end());
        lo = std::min(0.0, *mn);
        hi = std::max(0.0, *mx);
    }
    if (p.stop_reward != 0) {
        lo = std::min(lo, p.stop_reward);
        hi = std::max(hi, p.stop_reward);
        goal_->replace(QList<QPointF>{{0, p.stop_reward}, {x_max, p.stop_reward}});
    } else if (goal_->count()) {
        goal_->clear();
    }
    set_nice_range(y_, lo, hi);
}

} // namespace cbl::ui
