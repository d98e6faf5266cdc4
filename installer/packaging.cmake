# Debian package of the headless server and the console:
#   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build/release
#   cd build/release && cpack -G DEB            ->  flashsale_<version>_<arch>.deb
# Included last by the top-level CMakeLists.txt, after every install() rule of the project.
#
# What the package holds (paths once installed):
#   /usr/bin/flashsale                     app/CMakeLists.txt's install(TARGETS), prefix /usr
#   /etc/flashsale/flashsale.ini           the documented configuration, a dpkg conffile
#   /lib/systemd/system/flashsale.service  headless mode under systemd (not enabled by the package)
# and the maintainer scripts in installer/debian/ (the flashsale account, /var/lib/flashsale).

if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()

set(FLASHSALE_INSTALLER_DIR ${CMAKE_CURRENT_LIST_DIR})

# The system files have absolute destinations that only make sense inside the package
# (the unit runs /usr/bin/flashsale): EXCLUDE_FROM_ALL keeps them out of a plain
# `cmake --install`, which installs the binary alone; CPack asks for their component.
install(FILES ${PROJECT_SOURCE_DIR}/resources/config/flashsale.ini
        DESTINATION /etc/flashsale
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT system EXCLUDE_FROM_ALL)
install(FILES ${FLASHSALE_INSTALLER_DIR}/systemd/flashsale.service
        DESTINATION /lib/systemd/system
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT system EXCLUDE_FROM_ALL)

set(FLASHSALE_DEB_MAINTAINER "FlashSale maintainers <packaging@flashsale.invalid>"
    CACHE STRING "Maintainer field of the .deb")

set(CPACK_PACKAGE_NAME flashsale)
set(CPACK_PACKAGE_VENDOR "FlashSale")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "${FLASHSALE_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

# One package from two install components: the binary (no COMPONENT in app/, so
# "Unspecified") and the system files above. A component install is what makes CPack run
# the EXCLUDE_FROM_ALL rules; ALL_COMPONENTS_IN_ONE makes it a single .deb.
set(CPACK_COMPONENTS_ALL Unspecified system)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)

set(CPACK_DEBIAN_PACKAGE_NAME flashsale)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # flashsale_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${FLASHSALE_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Debian's Description: the summary above is its first line, this is the long part.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "FlashSale runs flash sales: a limited quantity of a product on sale at a discount
for a short window, with many shoppers trying to buy in the same second.
It bundles an embedded HTTP sale server (waiting room, inventory, purchases,
orders, payments), a headless mode for servers and, where built with it, the
Qt merchant console. Data lives in SQLite or PostgreSQL.
.
The package installs a systemd unit (flashsale.service) that it does not enable:
set the admin in /etc/default/flashsale, then systemctl enable --now flashsale.")
# Libraries the binary links: computed by dpkg-shlibdeps (package dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What dpkg-shlibdeps cannot see: Qt loads the SQL drivers as plugins at run time, and
# postinst runs useradd/groupadd (package passwd).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6sql6-psql, passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx, postgresql")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${FLASHSALE_INSTALLER_DIR}/debian/conffiles
    ${FLASHSALE_INSTALLER_DIR}/debian/postinst
    ${FLASHSALE_INSTALLER_DIR}/debian/prerm
    ${FLASHSALE_INSTALLER_DIR}/debian/postrm)
# Scripts 0755 and conffiles 0644 in the control archive, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/data/" "/results/")

include(CPack)
