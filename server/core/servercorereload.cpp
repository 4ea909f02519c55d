// The parts of the configuration that change while serving (SIGHUP), and the admin token's path.
#include "adminapi.h"
#include "libraryprobe.h"
#include "scheduler.h"
#include "sandboxtypes.h"
#include "servercore.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcCore)

namespace coderoom::core {

void ServerCore::applyConfig(const ServerConfig &config)
{
    // Requests already accepted keep the limits they were given; new ones get these.
    m_config.limits = config.limits;
    m_config.scheduler = config.scheduler;
    if (m_scheduler)
        m_scheduler->setConfig(config.scheduler); // more workers dispatch at once; a new TTL
                                                  // applies to waiting tickets too
    if (m_interactive)
        m_interactive->setConfig(interactiveLaneConfig(m_config));
    m_config.writableMb = config.writableMb;
    sandbox::setDefaultWritableMb(m_config.writableMb); // sandboxes started from now on
    m_config.jobCpuMilliCores = config.jobCpuMilliCores;
    sandbox::setDefaultCpuMilliCores(m_config.jobCpuMilliCores);
    m_config.shutdownGraceMs = config.shutdownGraceMs;
    m_config.node = config.node;
    m_config.restWithoutToken = config.restWithoutToken; // CoreRunService reads it per request
    m_config.logFormat = config.logFormat;               // main.cpp installs the log handler
    m_config.verbose = config.verbose;
    qDeleteAll(std::exchange(m_libraryProbes, {})); // the next /ready checks again
    m_librariesChecked = false;
    qCInfo(lcCore) << "configuration reloaded: workers" << m_config.scheduler.workers << "max_queue"
                   << m_config.scheduler.maxQueued << "max_per_user"
                   << m_config.scheduler.maxPerUser;
}

QString ServerCore::adminTokenPath() const
{
    return m_admin ? m_admin->tokenPath() : QString();
}

bool ServerCore::adminTokenCreated() const
{
    return m_admin && m_admin->tokenCreated();
}

} // namespace coderoom::core
