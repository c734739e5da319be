# Install rules and the Debian packages (included at the end of the root CMakeLists.txt).
#
# Two components, each one .deb (cpack -G DEB in a build directory):
#   full    -> package otasign: the full edition
#   verify  -> package otasign-verify: the verify edition (no PKCS#11, no libykpiv, no PC/SC)
# Each carries bin/otasign, libotasign.a with its headers and otasign.pc, the Yubico
# attestation roots (DATADIR/otasign/roots, the path compiled into otasign), man pages, bash
# completion and the documentation. Both install bin/otasign, so they conflict.
# The roots path is compiled in from CMAKE_INSTALL_PREFIX, so packages install at that prefix:
# configure with -DCMAKE_INSTALL_PREFIX=/usr for a package (README, "Installing on an offline
# workstation").
include(GNUInstallDirs)

find_program(OTASIGN_HELP2MAN help2man)
if(NOT OTASIGN_HELP2MAN)
  message(WARNING "help2man not found: no man pages (Debian package help2man)")
endif()

# otasign_install_edition(COMPONENT BINARY LIBRARY [HARDWARE])
function(otasign_install_edition component binary library)
  cmake_parse_arguments(I "HARDWARE" "" "" ${ARGN})
  install(PROGRAMS $<TARGET_FILE:${binary}> DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME otasign
          COMPONENT ${component})
  install(FILES $<TARGET_FILE:${library}> DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RENAME libotasign.a COMPONENT ${component})
  if(CMAKE_STRIP)
    # Debug information stays in the build tree: without it the library is a tenth the size.
    install(CODE "
      foreach(f \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/otasign\"
                \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/libotasign.a\")
        execute_process(COMMAND ${CMAKE_STRIP} --strip-debug \"\$ENV{DESTDIR}\${f}\"
                        COMMAND_ERROR_IS_FATAL ANY)
      endforeach()" COMPONENT ${component})
  endif()
  set(excluded)
  if(NOT I_HARDWARE)
    # The verify edition's library has no token or card code: nor do its headers.
    set(excluded PATTERN pkcs11 EXCLUDE PATTERN signing EXCLUDE PATTERN device.hpp EXCLUDE
                 PATTERN keygen.hpp EXCLUDE PATTERN ceremony.hpp EXCLUDE)
  endif()
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/libsign/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/otasign
          COMPONENT ${component} FILES_MATCHING PATTERN "*.hpp" PATTERN examples EXCLUDE
          ${excluded})
  if(I_HARDWARE)
    set(OTASIGN_PC_EDITION "")
    set(OTASIGN_PC_REQUIRES_PRIVATE "p11-kit-1 ykpiv")
    set(OTASIGN_PC_LIBS_PRIVATE "${CMAKE_DL_LIBS}")
    list(TRANSFORM OTASIGN_PC_LIBS_PRIVATE PREPEND -l)
  else()
    set(OTASIGN_PC_EDITION " (verify edition: no token or card support)")
    set(OTASIGN_PC_REQUIRES_PRIVATE "")
    set(OTASIGN_PC_LIBS_PRIVATE "")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cli/otasign.pc.in
                 ${PROJECT_BINARY_DIR}/packaging/${component}/otasign.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/${component}/otasign.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT ${component})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/ceremony/roots/
          DESTINATION ${CMAKE_INSTALL_DATADIR}/otasign/roots COMPONENT ${component})
  install(FILES ${PROJECT_SOURCE_DIR}/cli/otasign.bash-completion
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME otasign
          COMPONENT ${component})
  install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/SECURITY.md
          DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT ${component})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/schemas
          COMPONENT ${component})
  install(FILES ${PROJECT_SOURCE_DIR}/libsign/examples/verify_release.cpp
          DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT ${component})
  if(OTASIGN_HELP2MAN)
    # Man pages at build time, from the binary's own --help-all (cli/man-pages.sh).
    set(mandir ${PROJECT_BINARY_DIR}/packaging/${component}/man1)
    add_custom_command(
      OUTPUT ${mandir}/otasign.1
      COMMAND bash ${PROJECT_SOURCE_DIR}/cli/man-pages.sh $<TARGET_FILE:${binary}> ${mandir}
              ${PROJECT_VERSION}
      DEPENDS ${binary} ${PROJECT_SOURCE_DIR}/cli/man-pages.sh
      COMMENT "Man pages of the ${component} edition (help2man)"
      VERBATIM)
    add_custom_target(otasign_man_${component} ALL DEPENDS ${mandir}/otasign.1)
    install(DIRECTORY ${mandir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT ${component})
  endif()
endfunction()

if(OTASIGN_VERIFY_ONLY)
  otasign_install_edition(verify otasign sign_verify)
  set(CPACK_COMPONENTS_ALL verify)
else()
  otasign_install_edition(full otasign sign HARDWARE)
  otasign_install_edition(verify otasign-verify sign_verify)
  set(CPACK_COMPONENTS_ALL full verify)
endif()

set(OTASIGN_PACKAGE_MAINTAINER "otasign maintainers <otasign@localhost>" CACHE STRING
    "Maintainer field of the .deb packages")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME otasign)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${OTASIGN_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/otasign")
set(CPACK_DEBIAN_FULL_PACKAGE_NAME otasign)
set(CPACK_DEBIAN_FULL_PACKAGE_CONFLICTS otasign-verify)
# Tokens are reached through middleware loaded at run time: not ELF dependencies.
set(CPACK_DEBIAN_FULL_PACKAGE_RECOMMENDS "pcscd, p11-kit-modules, opensc-pkcs11 | ykcs11")
string(CONCAT CPACK_COMPONENT_FULL_DESCRIPTION
    "offline signing and verification of OTA release manifests\n"
    "Signs release manifests with keys on hardware tokens (PKCS#11, YubiKey PIV), verifies\n"
    "them against a trust policy, and keeps a hash-chained evidence log.")
set(CPACK_DEBIAN_VERIFY_PACKAGE_NAME otasign-verify)
set(CPACK_DEBIAN_VERIFY_PACKAGE_CONFLICTS otasign)
string(CONCAT CPACK_COMPONENT_VERIFY_DESCRIPTION
    "verification of OTA release manifests (no smart-card middleware)\n"
    "The verify edition of otasign: validate, diff, digest, canonicalize, verify, evidence\n"
    "verify and show, policy show. It links no PKCS#11, libykpiv or PC/SC library.")
include(CPack)
